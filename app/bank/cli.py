"""``flask bank``: validate, import, export and list question banks."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.bank.services import (
    BankNotFound,
    SourceFile,
    bank_summaries,
    load_version,
    publish,
)
from question_bank.bank_format import dump_bank, parse_bank
from question_bank.diagnostics import Report
from question_bank.leaks import find_leaks
from question_bank.model import Bank

bank_cli = AppGroup("bank", help="题库：校验、导入、导出、列表")


def _read(path: str) -> tuple[Bank | None, Report]:
    data, report = _load(path)
    if data is None:
        return None, report
    return parse_bank(data, path, current_app.config["BANK_MAX_BYTES"])


def _load(path: str) -> tuple[bytes | None, Report]:
    """The file's bytes, or None with the reason (too big, unreadable) in the report."""
    max_bytes = current_app.config["BANK_MAX_BYTES"]
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            report = Report(path)
            report.error(
                1,
                1,
                f"文件过大（{size / 1048576:.1f} MB），上限为 {max_bytes / 1048576:.0f} MB；请拆分后分别导入",
            )
            return None, report
        return Path(path).read_bytes(), Report(path)
    except OSError as exc:
        report = Report(path)
        report.error(1, 1, f"无法读取文件：{exc.strerror}")
        return None, report


def _print_report(report: Report) -> None:
    for diagnostic in report.ordered:
        click.echo(diagnostic.format(), err=True)


@bank_cli.command("validate")
@click.argument("files", nargs=-1, required=True)
def validate(files: tuple[str, ...]) -> None:
    """校验题库文件；全部有效时退出码为 0，否则为 1 并列出每个问题。"""
    failed = False
    for path in files:
        bank, report = _read(path)
        _print_report(report)
        if bank is None:
            failed = True
            click.echo(
                f"{path}: 无效（{len(report.errors)} 个错误，{len(report.warnings)} 个警告）"
            )
        else:
            click.echo(f"{path}: 有效（{len(bank.questions)} 道题，{len(report.warnings)} 个警告）")
    sys.exit(1 if failed else 0)


@bank_cli.command("import")
@click.argument("files", nargs=-1, required=True)
@click.option("--note", help="版本说明")
def import_(files: tuple[str, ...], note: str | None) -> None:
    """导入题库；有任何错误则什么都不导入。内容有变化时才发布新版本。"""
    banks = []
    for path in files:
        data, report = _load(path)
        bank = None
        if data is not None:
            bank, report = parse_bank(data, path, current_app.config["BANK_MAX_BYTES"])
        _print_report(report)
        if bank is None:
            click.echo(f"{path}: 有错误，未导入任何内容", err=True)
            sys.exit(1)
        banks.append((path, bank, SourceFile(Path(path).name, data)))
    for path, bank, source in banks:
        result = publish(bank, note=note, source=source)
        if result.published:
            click.echo(
                f"{path}: 已发布 {result.bank} 第 {result.version} 版："
                f"新增 {result.added}，修改 {result.changed}，停用 {result.retired}，未变 {result.unchanged}"
            )
        else:
            click.echo(f"{path}: {result.bank} 无变化，未发布新版本（{result.unchanged} 道题）")


@bank_cli.command("export")
@click.argument("name")
@click.option("--version", "number", type=int, help="版本号，默认最新版")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="输出文件，默认标准输出"
)
def export(name: str, number: int | None, output: str | None) -> None:
    """把题库的一个版本导出为 YAML。"""
    try:
        _, content = load_version(name, number)
    except BankNotFound as exc:
        click.echo(f"找不到题库 {exc}", err=True)
        sys.exit(1)
    text = dump_bank(content)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@bank_cli.command("list")
def list_() -> None:
    """列出题库及其最新版本。"""
    rows = bank_summaries()
    if not rows:
        click.echo("尚无题库；用 flask bank import FILE 导入")
    for bank, version, count in rows:
        click.echo(
            f"{bank.name}\t第 {version.number} 版\t{count} 道题\t{version.title}\t{version.content_hash[:12]}"
        )


@bank_cli.command("check-leaks")
@click.argument("files", nargs=-1, required=True)
def check_leaks(files: tuple[str, ...]) -> None:
    """列出可能互相泄露答案的题目对，供审核人决定是否用 excludes 标记。"""
    for path in files:
        bank, report = _read(path)
        if bank is None:
            _print_report(report)
            sys.exit(1)
        leaks = find_leaks(bank)
        for leak in leaks:
            mark = "已标记 excludes" if leak.marked else "未标记"
            click.echo(f"{leak.giver} → {leak.taker}\t{mark}\t{leak.reason}")
        open_count = sum(not leak.marked for leak in leaks)
        click.echo(f"{path}: {len(leaks)} 对可能泄露答案的题目，其中 {open_count} 对未标记")
