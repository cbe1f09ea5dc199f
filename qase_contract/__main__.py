"""The ``qase-contract`` console script and ``python -m qase_contract``: the command group of
:mod:`qase_contract.cli`, started so that the garbage collector leaves start-up's objects alone."""

import gc


def run() -> None:
    """The ``qase-contract`` command line."""
    # Start-up (click, the command's modules, their classes and functions) makes tens of
    # thousands of objects that live as long as the process, and next to no garbage: each
    # collection meanwhile only walks them, and so would every later one. So the collector waits
    # until the command's modules are loaded, and then leaves what start-up made out of its
    # walks (gc.freeze): 8% of the instructions of a one-delivery run. CliRunner and
    # programs that import the group never come here, and keep their collector as it is.
    gc.disable()
    try:
        from qase_contract.cli._main import main

        main.on_loaded = _collect_from_now_on
        main()
    finally:
        gc.enable()


def _collect_from_now_on() -> None:
    gc.freeze()
    gc.enable()


if __name__ == "__main__":
    run()
