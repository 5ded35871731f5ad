"""`make bench`: the engine's cost measured against a minimal twin workflow on the same server.

Run ``python -m bench`` (``make bench``); ``python -m bench --help`` lists its knobs."""
