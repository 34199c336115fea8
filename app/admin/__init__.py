"""Administration pages: banks, people, exams and sessions, results, audit.

Each area is a blueprint of its own under ``/admin``; ``access`` holds the checks
every admin view uses (role, and a unit admin's scope).
"""
