"""The command line's subcommands, one module per word of the office's work (``commands/plans.py``
for ``plan …``, and so on); ``cli.py`` builds the parser from them and maps errors to exit codes.

Each module has ``register(sub)``, which adds its subparsers with ``set_defaults(func=…)``; a
handler returns the exit code (0 success, 1 data error, 2 usage). Shared pieces (printing JSON,
refusing a file, usage errors, writing an output file) are in ``commands/common.py``. Like the
pages, commands call the domain packages; they import no Streamlit.
"""

from types import ModuleType

from commands import findings, notice, plans, review, tasks_closing

# The modules whose subcommands ``cli.py`` adds, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[ModuleType, ...] = (plans, tasks_closing, review, findings, notice)
