"""Pure rules: no Temporal, no SQL, no clock, no I/O."""
