"""Questions asked of the graph: named queries, gap rules, sector matrices, network metrics."""
