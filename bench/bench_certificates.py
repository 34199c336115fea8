"""Certificates rendered and signed per second on one core, and the font start-up cost.

Prints the figures and their ratio to a baseline measured in the same run (a one-line
ReportLab PDF in Helvetica), so a slower machine reads the same ratio. The aim is at
least 20 signed certificates per CPU-second after start-up (the wall rate, printed too,
says more about the neighbours on a shared machine); it exits 1 when missed. Rates over
``BENCH_SECONDS`` (3) of wall time and ``BENCH_CPU_COUNT`` (100) certificates.

Then the CPU of one certificate, rendering and signing apart, in this checkout and in a
baseline checkout (``BENCH_BASELINE_ROOT``, default /work/main; skipped if absent), each
in a child process, alternately for ``BENCH_ROUNDS`` rounds of ``BENCH_CERTIFICATES``:
the branch's figures beside the baseline's, as ratios, since the machine is shared.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.pdfgen.canvas import Canvas

from certificates.fonts import default_font_chain, load_fonts
from certificates.numbers import format_number
from certificates.pdf import CertificateContent, render_certificate
from certificates.pdf_signature import sign_pdf
from certificates.rules_format import load_default_rules
from certificates.signing import create_signing_identity

AIM_PER_SECOND = 20
# The shipped rules' issuer, which ``flask cert init-key`` names the key after: a name's
# length once decided whether a signature took 3 ms or 45 (certificates/signing.py).
ISSUER = load_default_rules().issuer
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
CPU_COUNT = int(os.environ.get("BENCH_CPU_COUNT", 100))
HERE = Path(__file__).resolve().parents[1]
BASELINE = os.environ.get("BENCH_BASELINE_ROOT", "/work/main")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
CERTIFICATES = int(os.environ.get("BENCH_CERTIFICATES", 100))


def _baseline() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    canvas.drawString(72, 720, "Hello")
    canvas.save()
    return buffer.getvalue()


def _rate(work, seconds: float = SECONDS) -> float:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        work(count)
        count += 1
    return count / (time.perf_counter() - start)


def _per_cpu_second(work, count: int = CPU_COUNT) -> float:
    """Per second of this process's CPU: steadier than the wall rate on a shared machine."""
    start = time.process_time()
    for i in range(count):
        work(i)
    return count / (time.process_time() - start)


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    start = time.perf_counter()
    chain = default_font_chain()  # cuts the static instances on a machine's first run
    cut = time.perf_counter() - start
    start = time.perf_counter()
    fonts = load_fonts(chain)
    loaded = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as directory:
        identity = create_signing_identity(Path(directory), ISSUER)

        def issue(i: int) -> None:
            sign_pdf(render_certificate(_content(i), fonts), identity)

        issue(0)  # warm: font subsets, key loading
        baseline = _rate(lambda _: _baseline())
        rendered = _rate(lambda i: render_certificate_only(fonts, i))
        signed = _rate(issue)
        rendered_cpu = _per_cpu_second(lambda i: render_certificate_only(fonts, i))
        signed_cpu = _per_cpu_second(issue)
    print(f"font chain ready (cut or found in cache): {cut * 1000:8.1f} ms")
    print(f"fonts loaded and registered (per process): {loaded * 1000:8.1f} ms")
    print(f"baseline one-line ReportLab PDF:          {baseline:8.1f} /s")
    print(f"certificates rendered (unsigned):         {rendered:8.1f} /s")
    print(f"certificates rendered and signed:         {signed:8.1f} /s")
    print(f"rendered per CPU-second:                  {rendered_cpu:8.1f}")
    print(f"rendered and signed per CPU-second:       {signed_cpu:8.1f}")
    print(f"signed certificate cost / baseline PDF:   {baseline / signed:8.1f} x")
    met = signed_cpu >= AIM_PER_SECOND
    print(
        f"aim: >= {AIM_PER_SECOND} signed certificates per CPU-second: {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


def render_certificate_only(fonts, i: int) -> bytes:
    return render_certificate(_content(i), fonts)


def _content(i: int) -> CertificateContent:
    return CertificateContent(
        holder_name=("王喆", "李堃", "赵昇", "龚䶮")[i % 4],
        title="职业能力认证证书",
        number=format_number("ZN", 2026, i + 1),
        issued_on=date(2026, 5, 20),
        expires_on=date(2029, 5, 19),
        issuer=ISSUER,
        verification_url=f"https://exam.example.gov.cn/v/{i:032d}",
        level="优秀",
    )


def measure_split() -> None:
    """Child, with the checkout to measure first on ``sys.path``: milliseconds of CPU per
    certificate rendered, per certificate signed, and per one-line ReportLab PDF."""
    fonts = load_fonts(default_font_chain())
    with tempfile.TemporaryDirectory() as directory:
        identity = create_signing_identity(Path(directory), ISSUER)
        sign_pdf(render_certificate(_content(0), fonts), identity)  # warm: subsets, key
        start = time.process_time()
        pdfs = [render_certificate(_content(i), fonts) for i in range(CERTIFICATES)]
        rendered = time.process_time() - start
        start = time.process_time()
        for pdf in pdfs:
            sign_pdf(pdf, identity)
        signed = time.process_time() - start
    start = time.process_time()
    for _ in range(CERTIFICATES):
        _baseline()
    one_line = time.process_time() - start
    figures = {"render": rendered, "sign": signed, "one_line": one_line}
    print(json.dumps({key: value * 1000 / CERTIFICATES for key, value in figures.items()}))


def _split_in(root: str) -> dict[str, float]:
    code = (  # the checkout's modules imported first, before this file puts its own on the path
        f"import sys; sys.path[:0] = [{root!r}, {str(HERE / 'bench')!r}]; "
        "import certificates.fonts, certificates.numbers, certificates.pdf, certificates.signing; "
        "import bench_certificates; bench_certificates.measure_split()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_with_baseline() -> None:
    roots = [("baseline", BASELINE)] if BASELINE and Path(BASELINE, "certificates").is_dir() else []
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in roots}
    runs["branch"] = []
    for _ in range(ROUNDS):
        for label, root in [*roots, ("branch", str(HERE))]:
            runs[label].append(_split_in(root))
    print(
        f"CPU per certificate, {CERTIFICATES} a round, {ROUNDS} rounds alternated"
        f" (baseline checkout: {BASELINE if roots else 'none found'}):"
    )
    print("            render    sign   total   total / one-line PDF")
    means = {}
    for label, rows in runs.items():
        mean = {key: sum(row[key] for row in rows) / len(rows) for key in rows[0]}
        mean["total"] = mean["render"] + mean["sign"]
        means[label] = mean
        print(
            f"{label:9} {mean['render']:6.2f} ms {mean['sign']:5.2f} ms {mean['total']:5.2f} ms"
            f"   {mean['total'] / mean['one_line']:6.1f} x"
        )
    if roots:
        before, after = means["baseline"], means["branch"]
        ratios = "  ".join(
            f"{key} {after[key] / before[key]:.2f}" for key in ("render", "sign", "total")
        )
        normalised = (after["total"] / after["one_line"]) / (before["total"] / before["one_line"])
        print(f"branch / baseline: {ratios} (total per one-line PDF: {normalised:.2f})")


if __name__ == "__main__":
    status = main()
    compare_with_baseline()
    sys.exit(status)
