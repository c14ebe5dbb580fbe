"""HTML fragments displayed by Jupyter (:class:`Html`) and the one way a helper shows something at once in a notebook
(:func:`afficher`)."""
from __future__ import annotations

from typing import Any


class Html:
    """A fragment of HTML displayed by Jupyter (``_repr_html_``); ``str()`` gives the HTML text."""

    def __init__(self, html: str, texte: str | None = None) -> None:
        self.html = html
        self.texte = texte if texte is not None else html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.texte

    def __add__(self, autre: "Html") -> "Html":
        return Html(self.html + autre.html, self.texte + "\n" + autre.texte)


def markdown(texte: str):
    """An IPython ``Markdown`` object (the notebooks' generated paragraphs and lists)."""
    from IPython.display import Markdown  # lazy: keeps ``import orleans_gov`` light

    return Markdown(texte)


def afficher(*objets: Any) -> None:
    """Show each object at once, in order: :class:`Html`, IPython objects (``Markdown``…) or matplotlib figures
    (shown, then closed so that the inline backend does not show them a second time). Outside a notebook the text
    version is printed (figures are closed)."""
    try:
        from IPython import get_ipython  # lazy: keeps ``import orleans_gov`` light
        from IPython.display import display
        actif = get_ipython() is not None
    except ImportError:  # pragma: no cover - IPython is installed with ipykernel
        actif = False
    for objet in objets:
        if objet is None:
            continue
        est_figure = hasattr(objet, "savefig")
        if actif:
            display(objet)
        elif not est_figure:
            print(getattr(objet, "texte", None) or getattr(objet, "data", None) or str(objet))
        if est_figure:
            import matplotlib.pyplot as plt  # lazy: matplotlib is only needed when a figure is shown

            plt.close(objet)
