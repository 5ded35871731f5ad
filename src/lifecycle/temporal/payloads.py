"""What a case takes in, at the level of Temporal's payloads (engine rules shared by the worker's
codec and the workflows)."""

# The most one Update or Signal may carry (engine rule): a case refuses more, in one sentence.
INPUT_BYTES = 1024 * 1024
# The server's own payload limit, set above what its gRPC port takes at all (4 MB a message):
# the worker sends a refused Update's request back with the refusal, and a request over the
# server's limit would make the worker fail the case's workflow task instead (the case stalls
# until the Update times out). Signals up to it reach history, where the case refuses them.
# The embedded server is started with it; a cluster's operator sets the same.
SERVER_BLOB_LIMIT = 4 * 1024 * 1024 + 64 * 1024

# What the worker's codec hands the case for a payload it cannot open (it claims the case's
# encryption but does not open with the system's keys): the payload's own bytes, with the
# reason in its metadata, so the case refuses it in one sentence instead of failing its tasks.
UNOPENABLE = b"binary/unopenable"
UNOPENABLE_REASON = "unopenable-reason"
