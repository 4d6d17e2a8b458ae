"""Ports of other libraries' schedules: one module per source library, imported on demand.

Each port maps the original's arguments and step convention onto jaxsched formulas, so its value at
update ``k`` equals what the original applies at update ``k``.
"""
