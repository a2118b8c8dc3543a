"""The policy lab: what a fee waiver for small firms costs and earns, before it is adopted."""
