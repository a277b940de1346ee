"""Foundations every stage uses: errors, namespaces, ids, built-in resources, vocabulary, files."""
