"""Triple stores behind one interface: local engines, a remote endpoint, Turtle, the workspace."""
