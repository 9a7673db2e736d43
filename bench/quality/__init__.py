"""An out-of-distribution quality gate: an independent document generator and a report of the service on it.

Nothing here is imported by Backend/, and nothing here reads the training generators or the
feature extractors: the documents come from what real paystubs, checks, money orders and bank
statements look like, written with their own code and conventions (see generator.py).
"""
