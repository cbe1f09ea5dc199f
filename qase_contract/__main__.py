"""``python -m qase_contract``: the same command as ``qase-contract``."""

from qase_contract.cli import main

if __name__ == "__main__":
    main()
