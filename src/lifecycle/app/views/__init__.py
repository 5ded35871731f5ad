"""What a person reads of cases, rounds and the registers: each as JSON and as the text the
command prints, made once here for every face."""
