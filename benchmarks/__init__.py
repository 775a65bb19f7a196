"""Benchmark of the IRM platform at national and ten-times-national scale:
`python -m benchmarks`."""
