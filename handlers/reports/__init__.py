"""Residents' reports (随手拍): an overflowing bin, illegal dumping, a broken bin, a missed collection.

Residents file them in the chat (`chat`) or the mini-program; the street they belong to handles
them in the console (`records`: queue, assign, resolve, reject), and the resident is told of each
step within WeChat's customer-service window. `figures` rolls counts and times up the tiers.
"""
