"""Getting data out: exports, a read-only SPARQL endpoint."""
