"""Small private helpers every room may use: pointers, printable text, credentials, files, names."""
