"""Command and option help in the language of the run (issue 12 item 6).

Every command's and option's help is in ``templates/messages_help.yaml``, Vietnamese and
English: ``help.<command path>`` (``help.assess``, ``help.rules.diff``, the group itself
``help.tc8``) and ``help.<command path>.<option name>`` (``help.assess.lang``); the help
option and ``--version`` everywhere use ``help.option.help`` and ``help.option.version``.

The language is ``--lang`` when it is on the command line (``tc8 assess --lang en --help``),
else the environment variable ``TC8_LANG``, else Vietnamese (:func:`help_lang`).
:func:`localise` gives a command (and the subcommands of a group) the :class:`HelpMixin`
that formats help from the catalogue; ``tc8.cli.main`` applies it once to every command it
loads, so command modules keep plain ``@click.command`` and their English option texts (the
text shown when a key is missing, and a library user's reference).
"""
from __future__ import annotations

import copy
import inspect
import os

import click

from tc8.text.messages import LANGS, catalogue, text

#: environment variable naming the language when ``--lang`` is not given
LANG_ENV = "TC8_LANG"
#: ``ctx.meta`` key holding the ``--lang`` found on the command line
_META = "tc8.help_lang"
#: options click adds to every command, one catalogue entry each
SHARED_OPTIONS = ("help", "version")


def env_lang() -> str:
    """``TC8_LANG`` when it names a language tc8 speaks, else ``vi``."""
    value = (os.environ.get(LANG_ENV) or "").strip().lower()
    return value if value in LANGS else "vi"


def lang_in_args(args) -> str | None:
    """The value of ``--lang`` in raw command-line ``args`` (last one wins), or None."""
    found = None
    args = list(args)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found if found in LANGS else None


def help_lang(ctx: click.Context | None = None) -> str:
    """The language of help and of errors raised before a command runs: ``--lang`` seen on
    the command line, else ``TC8_LANG``, else ``vi``."""
    ctx = ctx or click.get_current_context(silent=True)
    found = ctx.meta.get(_META) if ctx is not None else None
    return found or env_lang()


def command_key(path) -> str:
    """``help.rules.diff`` for the path ``("rules", "diff")``; ``help.tc8`` for the group."""
    return "help." + (".".join(path) if path else "tc8")


def option_key(path, param: click.Parameter, command: click.Command | None = None,
               ctx: click.Context | None = None) -> str:
    """The catalogue key of option ``param`` of the command at ``path`` (``command`` and
    ``ctx`` given: its help option is recognised whatever click names it)."""
    if command is not None and ctx is not None and param is command.get_help_option(ctx):
        return "help.option.help"
    if param.name in SHARED_OPTIONS:
        return f"help.option.{param.name}"
    return f"{command_key(path)}.{param.name}"


def lookup(key: str, lang: str) -> str | None:
    """The catalogue text of ``key`` in ``lang``; None when the key is missing."""
    return text(key, lang) if key in catalogue() else None


class HelpMixin:
    """Help texts from the catalogue in :func:`help_lang` (mixed into click's classes)."""

    tc8_path: tuple = ()

    def parse_args(self, ctx, args):
        found = lang_in_args(args)
        if found:
            ctx.meta[_META] = found
        return super().parse_args(ctx, args)

    def _help(self, lang: str) -> str | None:
        return lookup(command_key(self.tc8_path), lang)

    def format_help_text(self, ctx, formatter):
        body = self._help(help_lang(ctx))
        if body is None:
            return super().format_help_text(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(inspect.cleandoc(body))

    def get_short_help_str(self, limit: int = 45) -> str:
        body = self._help(help_lang())
        if body is None:
            return super().get_short_help_str(limit)
        return short_help(body, limit)

    def format_usage(self, ctx, formatter):
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), text("help.section.usage", help_lang(ctx)) + " ")

    def format_options(self, ctx, formatter):
        lang = help_lang(ctx)
        rows = []
        for param in self.get_params(ctx):
            if not isinstance(param, click.Option):
                continue  # click lists arguments in the usage line only
            body = lookup(option_key(self.tc8_path, param, self, ctx), lang)
            if body is not None:
                param = copy.copy(param)
                param.help = body
            record = param.get_help_record(ctx)
            if record is not None:
                rows.append((record[0], _click_words(record[1], lang)))
        if rows:
            with formatter.section(text("help.section.options", lang)):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx, formatter):
        """A group's subcommands with their summaries, under a heading in the language."""
        limit = formatter.width - 6 - max((len(n) for n in self.list_commands(ctx)), default=0)
        rows = []
        for name in self.list_commands(ctx):
            sub = self.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append((name, sub.get_short_help_str(limit)))
        if rows:
            with formatter.section(text("help.section.commands", help_lang(ctx))):
                formatter.write_dl(rows)


def _click_words(body: str, lang: str) -> str:
    """click's own ``[default: …; required]`` after an option's help, in ``lang``."""
    start = body.rfind("  [")
    if lang == "en" or start < 0:
        return body
    extra = body[start:].replace("default: ", text("help.extra.default", lang) + " ")
    return body[:start] + extra.replace("required", text("help.extra.required", lang))


_CLASSES: dict = {}


def _localised_class(cls: type) -> type:
    if issubclass(cls, HelpMixin):
        return cls
    if cls not in _CLASSES:
        _CLASSES[cls] = type(f"Tc8{cls.__name__}", (HelpMixin, cls), {})
    return _CLASSES[cls]


def localise(command: click.Command, path=()) -> click.Command:
    """Give ``command`` (at ``path`` under ``tc8``) and, for a group, every registered
    subcommand the catalogue's help; returns ``command``."""
    command.__class__ = _localised_class(type(command))
    command.tc8_path = tuple(path)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            localise(sub, (*path, name))
    return command


def summary(path, limit: int, lang: str | None = None) -> str | None:
    """Short help of the command at ``path`` from the catalogue (no import of its module);
    None when the catalogue has no entry."""
    body = lookup(command_key(path), lang or help_lang())
    return None if body is None else short_help(body, limit)


def short_help(body: str, limit: int) -> str:
    """The first sentence of ``body``, cut at a word with "..." to ``limit`` characters."""
    words = inspect.cleandoc(body).split("\n\n", 1)[0].split()
    out, total = [], 0
    for i, word in enumerate(words):
        if total + len(word) + (1 if out else 0) > limit - (3 if i < len(words) - 1 else 0):
            return " ".join(out) + "..."
        out.append(word)
        total += len(word) + (1 if len(out) > 1 else 0)
        if word.endswith(".") and i < len(words) - 1:
            break
    return " ".join(out)
