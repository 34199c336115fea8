"""Logins per second per core, and the cost of the password hash, old against new.

One process (one core): N logins through the whole app (CSRF, throttle claims, user
look-up, argon2id check, new session), each from its own client, on a migrated SQLite
database. Baseline, measured in the same run: a bare Flask route posting a form through
the same test client. Hash times: werkzeug's scrypt (the old default) against argon2id at
OWASP's minimum (19 MiB, t=2, p=1), verifying the right password.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-secret")

LOGINS = int(os.environ.get("BENCH_LOGINS", 60))
PASSWORD = "lantern-ridge-47"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def hash_times(rounds: int = 10) -> tuple[float, float]:
    """Median CPU milliseconds to verify a password: scrypt (old) and argon2id (new)."""
    from werkzeug.security import check_password_hash, generate_password_hash

    from app.auth.passwords import hash_password, verify_password

    old, new = generate_password_hash(PASSWORD, method="scrypt"), hash_password(PASSWORD)
    timings = {"old": [], "new": []}
    for _ in range(rounds):
        start = time.process_time()
        check_password_hash(old, PASSWORD)
        timings["old"].append(time.process_time() - start)
        start = time.process_time()
        verify_password(new, PASSWORD)
        timings["new"].append(time.process_time() - start)
    return statistics.median(timings["old"]) * 1000, statistics.median(timings["new"]) * 1000


def logins_per_second(folder: str) -> float:
    from flask_migrate import upgrade

    from app import create_app
    from app.auth.passwords import hash_password
    from app.extensions import db
    from app.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
    with app.app_context():
        upgrade()
        stored = hash_password(PASSWORD)
        db.session.add_all(
            User(username=f"user{n}", name=f"考生{n}", password_hash=stored) for n in range(LOGINS)
        )
        db.session.commit()
    clients = []
    for n in range(LOGINS):
        client = app.test_client()
        token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
        clients.append(
            (client, {"username": f"user{n}", "password": PASSWORD, "csrf_token": token})
        )
    start = time.process_time()
    for n, (client, form) in enumerate(clients):
        response = client.post(
            "/login", data=form, environ_base={"REMOTE_ADDR": f"10.0.{n // 250}.{n % 250}"}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[-500:]
    return LOGINS / (time.process_time() - start)


def baseline_per_second(requests: int = 2000) -> float:
    from flask import Flask, request

    bare = Flask("baseline")

    @bare.post("/login")
    def login():
        return request.form["username"]

    client = bare.test_client()
    form = {"username": "user", "password": PASSWORD}
    start = time.process_time()
    for _ in range(requests):
        client.post("/login", data=form)
    return requests / (time.process_time() - start)


def main() -> None:
    old_ms, new_ms = hash_times()
    with tempfile.TemporaryDirectory() as folder:
        logins = logins_per_second(folder)
    baseline = baseline_per_second()
    print(
        f"password check (CPU): scrypt (old) {old_ms:.1f} ms, argon2id m=19MiB t=2 p=1 (new) {new_ms:.1f} ms"
    )
    print(f"logins per second per core (CPU time): {logins:.1f}  ({LOGINS} logins)")
    print(f"baseline bare form route per core:      {baseline:.1f}")
    print(f"ratio: {logins / baseline:.4f}; a login costs {1000 / logins:.1f} ms of CPU")


if __name__ == "__main__":
    main()
