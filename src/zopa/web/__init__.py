"""The zopa web application (``zopa serve``): a thin layer of pages and a JSON API over the core."""
