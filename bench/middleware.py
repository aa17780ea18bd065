"""Bench only: the number of SQL queries a response took, in an `X-Queries` header (bench/settings.py).

The benchmark reports it next to each page's times, at the scale it runs on: the issue's rule is that
a page's count does not grow with the data (the query-count tests hold it; this shows it at 10,000 allies).
"""

from django.db import connection


class CountQueries:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Queries"] = str(count)
        return response
