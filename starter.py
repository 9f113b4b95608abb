"""The staff command line, `disagreement` (same as `python starter.py`); its commands are assembled in cli/main.py."""

from cli.main import run


def main() -> None:
    run()


if __name__ == "__main__":
    main()
