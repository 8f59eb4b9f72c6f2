"""``python -m solidarity_atlas`` runs the command-line interface."""

from solidarity_atlas.cli import app

if __name__ == "__main__":
    app(prog_name="solidarity")
