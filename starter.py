"""The staff command line, `disagreement` (same as `python starter.py`); the commands are in cli/app.py."""

from cli.app import run


def main() -> None:
    run()


if __name__ == "__main__":
    main()
