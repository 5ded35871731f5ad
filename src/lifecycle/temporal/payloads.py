"""What a case takes in, at the level of Temporal's payloads (engine rules shared by the worker's
codec and the workflows)."""

# The most one Update or Signal may carry (engine rule): a case refuses more, in one sentence.
INPUT_BYTES = 1024 * 1024
# The server's own limits, just above the engine's (room for the codec's envelope and the
# payload's metadata), so that nothing larger than a case takes ever reaches its history:
# - an Update is refused when it arrives, before any worker sees it, once the Updates in
#   flight to one case carry more than UPDATE_PAYLOADS_LIMIT (history.maxInFlightUpdatePayloads);
#   so a worker never sends back a refused request over the payload limit with its refusal
#   (which would fail the case's workflow task until the Update timed out);
# - a Signal (and any payload) over SERVER_BLOB_LIMIT is refused by the server (limit.blobSize.
#   error); one between the two limits reaches the case, which refuses it in one sentence.
# The embedded server is started with both; a cluster's operator sets the same.
UPDATE_PAYLOADS_LIMIT = INPUT_BYTES + 1024
SERVER_BLOB_LIMIT = INPUT_BYTES + 2048

# What the worker's codec hands the case for a payload it cannot open (it claims the case's
# encryption but does not open with the system's keys): the payload's own bytes, with the
# reason in its metadata, so the case refuses it in one sentence instead of failing its tasks.
UNOPENABLE = b"binary/unopenable"
UNOPENABLE_REASON = "unopenable-reason"
