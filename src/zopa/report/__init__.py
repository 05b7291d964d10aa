"""Presentation of results: terminal tables, HTML and charts. Computes nothing."""
