"""``flask bank``: validate, convert, import, export and list question banks.

The group is also a Flask CLI plugin (``flask.commands`` in pyproject.toml), so that
``flask bank validate`` and ``convert`` run without creating the app: reading a file needs
neither the database nor the web layer, and importing them cost over a second per run.
The commands that do need them import them when they run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app, has_app_context
from flask.cli import AppGroup

import config
from question_bank.diagnostics import Report
from question_bank.formats import (
    FORMATS,
    NO_DEFAULTS,
    UnknownFormat,
    format_for,
    read_bank,
    write_bank,
)
from question_bank.formats.base import BankDefaults
from question_bank.model import Bank

bank_cli = AppGroup("bank", help="题库：校验、导入、导出、列表")


def _read(
    path: str, fmt: str | None = None, defaults: BankDefaults = NO_DEFAULTS
) -> tuple[Bank | None, Report]:
    """Any format, by extension unless ``fmt`` names one, through the one validator."""
    data, report = _load(path)
    if data is None:
        return None, report
    try:
        result = read_bank(data, path, fmt, defaults, _max_bytes())
    except UnknownFormat as exc:
        report.error(1, 1, str(exc))
        return None, report
    return result.bank, result.report


def _defaults(bank: str | None, title: str | None) -> BankDefaults:
    return BankDefaults(bank or NO_DEFAULTS.bank, title or NO_DEFAULTS.title)


FORMAT_NAMES = click.Choice(list(FORMATS))
DEFAULT_OPTIONS = (
    click.option("--from", "fmt", type=FORMAT_NAMES, help="输入格式；默认按扩展名判断"),
    click.option("--bank", "bank_id", help=f"格式中没有题库编号时使用，默认 {NO_DEFAULTS.bank}"),
    click.option("--title", help=f"格式中没有题库名称时使用，默认“{NO_DEFAULTS.title}”"),
)


def _with_defaults(command):
    for option in reversed(DEFAULT_OPTIONS):
        command = option(command)
    return command


def _max_bytes() -> int:
    """The app's limit when there is an app; the setting itself for app-less commands."""
    return current_app.config["BANK_MAX_BYTES"] if has_app_context() else config.bank_max_bytes()


def _load(path: str) -> tuple[bytes | None, Report]:
    """The file's bytes, or None with the reason (too big, unreadable) in the report."""
    max_bytes = _max_bytes()
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


@bank_cli.command("validate", with_appcontext=False)
@click.argument("files", nargs=-1, required=True)
@_with_defaults
def validate(
    files: tuple[str, ...], fmt: str | None, bank_id: str | None, title: str | None
) -> None:
    """校验题库文件（YAML、XLSX、DOCX、Moodle XML、GIFT、Aiken）；全部有效时退出码为 0，否则为 1 并列出每个问题。"""
    failed = False
    for path in files:
        bank, report = _read(path, fmt, _defaults(bank_id, title))
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
@_with_defaults
def import_(
    files: tuple[str, ...],
    note: str | None,
    fmt: str | None,
    bank_id: str | None,
    title: str | None,
) -> None:
    """导入题库（任一支持的格式）；有任何错误则什么都不导入。内容有变化时才发布新版本。
    发布的版本保存所导入的文件原样。"""
    from app.bank.services import SourceFile, publish

    banks = []
    for path in files:
        data, _ = _load(path)
        bank, report = _read(path, fmt, _defaults(bank_id, title))
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
@click.option(
    "--to", "to_format", type=FORMAT_NAMES, help="输出格式；默认按扩展名判断，无文件时为 YAML"
)
def export(name: str, number: int | None, output: str | None, to_format: str | None) -> None:
    """把题库的一个版本导出为 YAML 或其他格式。"""
    from app.bank.services import BankNotFound, load_version
    from question_bank.bank_writer import dump_bank

    try:
        _, content = load_version(name, number)
        target = format_for(output, to_format) if output else None
    except BankNotFound as exc:
        click.echo(f"找不到题库 {exc}", err=True)
        sys.exit(1)
    except UnknownFormat as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    if not output:
        click.echo(dump_bank(content), nl=False)
        return
    written = write_bank(content, target.name)
    Path(output).write_bytes(written.data)
    for line in written.summary():
        click.echo(line, err=True)


@bank_cli.command("convert", with_appcontext=False)
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--to", "to_format", type=FORMAT_NAMES, help="输出格式；默认按扩展名判断")
@_with_defaults
def convert(
    source: str, output: str, to_format: str | None, fmt: str | None,
    bank_id: str | None, title: str | None,
) -> None:  # fmt: skip
    """在 YAML、XLSX、DOCX、Moodle XML、GIFT、Aiken 之间转换题库，不使用数据库。
    输出格式装不下的题目逐一列出。"""
    try:
        target = format_for(output, to_format)
    except UnknownFormat as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    bank, report = _read(source, fmt, _defaults(bank_id, title))
    _print_report(report)
    if bank is None:
        click.echo(f"{source}: 有错误，未转换", err=True)
        sys.exit(1)
    export = write_bank(bank, target.name)
    Path(output).write_bytes(export.data)
    for line in export.summary():
        click.echo(line, err=True)
    kept = len(bank.questions) - len(export.dropped)
    click.echo(f"{output}: 已写出 {kept} 道题（{target.title}），未导出 {len(export.dropped)} 道")


@bank_cli.command("list")
def list_() -> None:
    """列出题库及其最新版本。"""
    from app.bank.services import bank_summaries

    rows = bank_summaries()
    if not rows:
        click.echo("尚无题库；用 flask bank import FILE 导入")
    for bank, version, count in rows:
        click.echo(
            f"{bank.name}\t第 {version.number} 版\t{count} 道题\t{version.title}\t{version.content_hash[:12]}"
        )


@bank_cli.command("check-leaks", with_appcontext=False)
@click.argument("files", nargs=-1, required=True)
def check_leaks(files: tuple[str, ...]) -> None:
    """列出可能互相泄露答案的题目对，供审核人决定是否用 excludes 标记。"""
    from question_bank.leaks import find_leaks

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
