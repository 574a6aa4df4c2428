"""Sub-commands of the arrecon CLI, one module each."""
