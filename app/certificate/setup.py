"""What issuance needs from configuration: the rules in force, the fonts, the signing key.

Each is read once per process (the rules again whenever their file changes), so a
worker pays the font and key parsing cost once, not per certificate.
"""

from __future__ import annotations

import functools
from pathlib import Path

from flask import current_app

from certificates.fonts import LoadedFonts, default_font_chain, load_fonts
from certificates.rules import CertificationRules
from certificates.rules_format import parse_rules
from certificates.signing import CERT_FILE, KEY_FILE, SigningIdentity


class RulesUnavailable(RuntimeError):
    """The configured rules file is missing or invalid; the message lists the problems."""


def current_rules() -> CertificationRules:
    """The rules file named by ``CERT_RULES_FILE``, re-read when it changes on disk."""
    path = Path(current_app.config["CERT_RULES_FILE"])
    try:
        stat = path.stat()
    except OSError as exc:
        raise RulesUnavailable(f"{path}: 无法读取认证规则文件：{exc.strerror}") from exc
    return _parse(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _parse(path: str, mtime_ns: int, size: int) -> CertificationRules:
    rules, report = parse_rules(Path(path).read_bytes(), path)
    if rules is None:
        raise RulesUnavailable("\n".join(d.format() for d in report.ordered))
    return rules


def fonts() -> LoadedFonts:
    """The certificate font chain (cut on first use on a machine, then cached on disk)."""
    cache = current_app.config.get("CERT_FONT_CACHE")
    return _fonts(str(cache) if cache else None)


@functools.cache
def _fonts(cache_dir: str | None) -> LoadedFonts:
    return load_fonts(default_font_chain(Path(cache_dir) if cache_dir else None))


def preload() -> None:
    """Fonts, rules and signing key read now, once: a job worker does so before forking
    its processes, which then share them instead of each paying ~0.6 s and its memory.
    What is missing or broken is left for the first certificate to report."""
    from certificates.pdf_signature import preload_signer  # see signed_pdf

    fonts()
    try:
        current_rules()
        preload_signer(signing_identity())
    except (RulesUnavailable, OSError, ValueError):
        pass


def signing_identity() -> SigningIdentity:
    """The key pair in ``CERT_KEY_DIR``; ``flask cert init-key`` creates it."""
    directory = Path(current_app.config["CERT_KEY_DIR"])
    return SigningIdentity(directory / KEY_FILE, directory / CERT_FILE)


def seal_image() -> Path | None:
    seal = current_app.config.get("CERT_SEAL_IMAGE")
    return Path(seal) if seal else None


def verification_url(token: str) -> str:
    """The QR link, always from the configured public base URL, never from a request."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/v/{token}"
