"""Typer's and Click's own words in Chinese when coord speaks Chinese: "用法：", the 选项/参数/命令 panels,
"显示此帮助信息并退出。", "没有该命令", "缺少选项", "已中止。"…

Typer 0.29 carries its own copy of Click (`typer._click`) whose messages are f-strings, not gettext calls,
and its rich help and error panels take their words from constants `typer.rich_utils` fixes at import. There
is no translation hook, so for the length of one Chinese invocation of `coord` this module replaces the few
attributes Typer reads its words from, and puts every one back afterwards (`speaking`):

- the help formatter's "Usage:" and "[OPTIONS]", the type labels (<str>, <int>), typer.core's gettext `_`,
  the help of Typer's own options (--help, --install-completion), the prompts' error lines;
- typer.rich_utils' panel titles and hints, only once help or an error is about to be drawn (importing
  typer.rich_utils costs about 0.1 s, which a command that draws neither should not pay);
- Click's errors, translated whole as they leave coord's root group (`chinese_errors`): Typer composes them
  from parts ("Invalid value for '--limit': " + Pydantic's "Input should be a valid integer…").

English mode touches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer.core
from typer._click import termui, utils
from typer._click.core import Context
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer._click.formatting import HelpFormatter
from typer.core import _TyperParameter
from typer.exceptions import Abort

from coordination import config
from coordination.domain.errors import CoordError

CHINESE = "zh"


def language(args: Sequence[str]) -> str:
    """This invocation's language, known before Click parses anything: the last --lang before "--", else
    COORD_LANG, else Chinese. An unsupported choice counts as Chinese here, as when coord reports an error."""
    chosen: str | None = None
    for index, item in enumerate(args):
        if item == "--":
            break
        if item == "--lang" and index + 1 < len(args):
            chosen = args[index + 1]
        elif item.startswith("--lang="):
            chosen = item.split("=", 1)[1]
    try:
        return config.current_lang(chosen)
    except CoordError:
        return CHINESE


# ---- the words -----------------------------------------------------------------------------------

# typer.rich_utils' constants: the panels of `--help` and of an error.
_RICH_WORDS: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "ABORTED_TEXT": "已中止。",
    "RICH_HELP": "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEPRECATED_STRING": "（已停用） ",
}

# typer.core's gettext calls that are not errors (those are translated whole, below).
_TYPER_WORDS: dict[str, str] = {
    "Aborted!": "已中止！",
    "(dynamic)": "（动态）",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "Arguments": "参数",
    "Options": "选项",
    "Commands": "命令",
}

# The help of the options Typer and Click add to every command or to the root.
_OWN_HELP: dict[str, str] = {
    "Show this message and exit.": "显示此帮助信息并退出。",
    "Install completion for the current shell.": "为当前 shell 安装命令补全。",
    "Show completion for the current shell, to copy it or customize the installation.":
        "显示当前 shell 的命令补全脚本，可复制或自行安装。",
    "Install completion for the specified shell.": "为指定的 shell 安装命令补全。",
    "Show completion for the specified shell, to copy it or customize the installation.":
        "显示指定 shell 的命令补全脚本，可复制或自行安装。",
}

# Type labels in the help's middle column (<str>, <int range>); coord's own metavars (DATE) stay.
_TYPE_LABELS: dict[str, str] = {
    "str": "文本",
    "int": "整数",
    "float": "小数",
    "bool": "开关",
    "int range": "整数范围",
    "float range": "小数范围",
    "Path": "路径",
    "datetime": "日期时间",
}

_PATH_KINDS: dict[str, str] = {"file": "文件", "dir": "目录", "directory": "目录", "path": "路径"}
_PATH_PROBLEMS: dict[str, str] = {
    "does not exist": "不存在",
    "is a file": "是文件，不是目录",
    "is a directory": "是目录，不是文件",
    "is not readable": "不可读",
    "is not writable": "不可写",
}


def _path_problem(match: re.Match[str]) -> str:
    kind = _PATH_KINDS[match["kind"].lower()]
    return f"{kind} {match['path']} {_PATH_PROBLEMS[match['problem']]}。"


# Whole error messages, rule after rule: first the frame Typer puts around a parameter's problem, then the
# problem itself (Typer 0.29 converts values with Pydantic, so Pydantic's words; Click's own for good measure).
_MESSAGE_RULES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        (r"^Invalid value for (?P<p>.+?): ", r"\g<p> 的值无效："),
        (r"^Invalid value: ", "值无效："),
        (r"^Missing option(?P<p> .+?)?\.(?: |$)", r"缺少选项\g<p>。"),
        (r"^Missing argument(?P<p> .+?)?\.(?: |$)", r"缺少参数\g<p>。"),
        (r"^Missing parameter(?P<p> .+?)?\.(?: |$)", r"缺少参数\g<p>。"),
        (r"^Missing parameter: (?P<p>.+)$", r"缺少参数：\g<p>"),
        (r"^No such command (?P<n>.+?)\.(?= Did you mean|$)", r"没有该命令：\g<n>。"),
        (r"^Missing command\.$", "缺少命令。"),
        (r"^No such option: (?P<o>\S+)", r"没有该选项：\g<o>"),
        (r" ?\(Possible options: (?P<o>.+)\)$", r"（可能是：\g<o>）"),
        (r" ?\(?Did you mean (?:one of: )?(?P<s>.+?)\??\)?$", r"您是不是要输入 \g<s>？"),
        (r"^Got unexpected extra argument(?:s|\(s\))? \((?P<a>.*)\)$", r"多余的参数：\g<a>"),
        (r"^Option (?P<o>.+?) requires an argument\.$", r"选项 \g<o> 需要一个值。"),
        (r"^Option (?P<o>.+?) requires (?P<n>\d+) arguments\.$", r"选项 \g<o> 需要 \g<n> 个值。"),
        (r"^Option (?P<o>.+?) does not take a value\.$", r"选项 \g<o> 不接受值。"),
        (r"^Argument (?P<a>.+?) takes (?P<n>\d+) values\.$", r"参数 \g<a> 需要 \g<n> 个值。"),
        (r"^Could not open file (?P<f>.+?): ", r"无法打开文件 \g<f>："),
        (r"Input should be a valid integer, got a number with a fractional part", "应为整数，不能带小数"),
        (r"Input should be a valid integer(?:, unable to parse string as an integer)?", "应为整数"),
        (r"Input should be a valid number(?:, unable to parse string as a number)?", "应为数字"),
        (r"Input should be a finite number", "应为有限的数字"),
        (r"Input should be a valid boolean(?:, unable to interpret input)?", "应为是或否（true/false、yes/no、1/0）"),
        (r"Input should be greater than or equal to (?P<n>\S+)", r"应大于或等于 \g<n>"),
        (r"Input should be greater than (?P<n>\S+)", r"应大于 \g<n>"),
        (r"Input should be less than or equal to (?P<n>\S+)", r"应小于或等于 \g<n>"),
        (r"Input should be less than (?P<n>\S+)", r"应小于 \g<n>"),
        (r"Input should be a valid string", "应为文本"),
        (r"Input should be a valid path", "应为路径"),
        (r"(?P<v>'.*?') is not a valid integer\.", r"\g<v> 不是有效的整数。"),
        (r"(?P<v>'.*?') is not a valid float\.", r"\g<v> 不是有效的数字。"),
        (r"(?P<v>'.*?') is not a valid boolean\.", r"\g<v> 不是有效的是或否。"),
        (r"Value (?P<v>.+) is not a valid (?P<t>\S+)\.", r"\g<v> 不是有效的 \g<t>。"),
        (r"(?P<v>\S.*?) is not one of (?P<c>.+)\.$", r"\g<v> 不是可选值之一（\g<c>）。"),
        (r"(?P<v>\S.*?) does not match the formats (?P<f>.+)\.$", r"\g<v> 不符合格式 \g<f>。"),
        (r"Value must be an iterable\.", "应为多个值。"),
        (r"Choose from:", "可选："),
        (r"(?i:(?P<kind>file|dir|directory|path)) (?P<path>'.*') "
         r"(?P<problem>does not exist|is a file|is a directory|is not readable|is not writable)\.", _path_problem),
        # the prompts' own lines (coord person password)
        (r"^The value you entered was invalid\.$", "输入的值无效。"),
        (r"^The two entered values do not match\.$", "两次输入不一致。"),
        (r"^invalid input$", "输入无效。"),
    )
)


def translate_message(message: str) -> str:
    """A Click/Typer error message in Chinese; a message coord wrote itself comes through unchanged."""
    for pattern, replacement in _MESSAGE_RULES:
        message = pattern.sub(replacement, message)
    return message


# ---- the replacements ----------------------------------------------------------------------------


class _Patches:
    """Attributes replaced for one invocation, put back in reverse order (an inherited one by deleting it)."""

    def __init__(self) -> None:
        self._saved: list[tuple[Any, str, bool, Any]] = []
        self.rich_switched = False

    def set(self, target: Any, name: str, value: Any) -> None:
        own = vars(target)
        self._saved.append((target, name, name in own, own.get(name)))
        setattr(target, name, value)

    def restore(self) -> None:
        while self._saved:
            target, name, had, old = self._saved.pop()
            if had:
                setattr(target, name, old)
            else:
                delattr(target, name)


_active: _Patches | None = None  # the invocation speaking Chinese, if any (one at a time: a CLI process)


class _ChineseHelpFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)


_original_get_help: Callable[[Context], str] = Context.get_help
_original_display_type: Callable[[_TyperParameter, Context], str] = _TyperParameter.display_type
_original_echo: Callable[..., None] = utils.echo  # what termui calls `echo`


def _switch_rich(patches: _Patches) -> None:
    if patches.rich_switched:
        return
    patches.rich_switched = True
    from typer import rich_utils

    for name, text in _RICH_WORDS.items():
        patches.set(rich_utils, name, text)


def _get_help(ctx: Context) -> str:
    """Context.get_help, for `--help` and a group called without a command: Typer's panels and own options in
    Chinese first."""
    if _active is not None:
        _switch_rich(_active)
        for param in ctx.command.get_params(ctx):
            chinese = _OWN_HELP.get(getattr(param, "help", None) or "")
            if chinese:
                _active.set(param, "help", chinese)
    return _original_get_help(ctx)


def _display_type(param: _TyperParameter, ctx: Context) -> str:
    shown = _original_display_type(param, ctx)
    chinese = _TYPE_LABELS.get(shown[1:-1]) if shown.startswith("<") and shown.endswith(">") else None
    return f"<{chinese}>" if chinese else shown


def _gettext(message: str) -> str:
    return _TYPER_WORDS.get(message, message)


def _echo(message: Any = None, *args: Any, **kwargs: Any) -> None:
    """termui's echo: a prompt's "Error: …" line in Chinese (a mistyped or mismatched password)."""
    if isinstance(message, str) and message.startswith("Error: "):
        message = "错误：" + translate_message(message.removeprefix("Error: "))
    _original_echo(message, *args, **kwargs)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Typer and Click speak `lang` inside; in Chinese, their words are replaced and put back on the way out."""
    global _active
    if lang != CHINESE or _active is not None:
        yield
        return
    patches = _Patches()
    _active = patches
    try:
        patches.set(Context, "formatter_class", _ChineseHelpFormatter)
        patches.set(Context, "get_help", _get_help)
        patches.set(_TyperParameter, "display_type", _display_type)
        patches.set(typer.core, "_", _gettext)
        patches.set(termui, "echo", _echo)
        yield
    finally:
        _active = None
        patches.restore()


@contextmanager
def chinese_errors() -> Iterator[None]:
    """Click's errors raised inside leave in Chinese when speaking Chinese (Typer draws them afterwards,
    outside coord's code, so they are translated on the way out and the error panel readied)."""
    try:
        yield
    except NoArgsIsHelpError:
        raise  # not an error: the help, already drawn
    except ClickException as error:
        if _active is None:
            raise
        _switch_rich(_active)
        message = translate_message(error.format_message())
        shown = UsageError(message, error.ctx) if isinstance(error, UsageError) else ClickException(message)
        shown.exit_code = error.exit_code
        raise shown from error
    except Abort:
        if _active is not None:
            _switch_rich(_active)
        raise
