"""SHACL validation: the pySHACL reference and the shapes compiled to SPARQL."""
