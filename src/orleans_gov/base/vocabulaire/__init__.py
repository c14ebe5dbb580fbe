"""The project's one vocabulary: every indicator name has one French label, one unit and, where there is one, its
legal or DGFiP reference. Tables, charts, generated sentences, CSV headers and Excel annexes take their labels and
units from here, so a reader never sees a programme code (``pop1``, ``cafn``, ``revtot``…) and a name never
changes unit from one document to another.

Terms are data: one YAML file per domain in this folder (``finances.yaml``, ``scenarios.yaml``,
``organisations.yaml``, ``politiques.yaml``…), each entry ``nom: {libelle, unite, reference}``; a name may be
declared once only and its unit must be one of :data:`UNITES` (checked when the vocabulary is read).

    >>> from orleans_gov.base import vocabulaire as v
    >>> v.libelle("epargne_brute"), v.unite("epargne_brute")
    ('Épargne brute', 'k€')
    >>> v.entete("taux_epargne_brute")
    "Taux d'épargne brute (%)"
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orleans_gov.base.yaml_strict import RefusYaml, charger as charger_yaml
"""libyaml's safe loader when PyYAML has it (same documents, ~15× faster: bench/RESULTS_latence.md)."""

DOSSIER = Path(__file__).resolve().parent

UNITES = ("k€", "M€", "€", "€/hab", "%", "années", "habitants", "ETP", "agents", "sièges", "indice", "coefficient",
          "nombre", "agents pour 1 000 hab", "ETP pour 1 000 hab", "k€ par ETP", "€ par ETP", "texte", "année",
          "1 ou 0", "points")
"""Units allowed in the vocabulary (k€ = thousands of euros, the unit of the DGFiP files)."""


@dataclass(frozen=True)
class Terme:
    nom: str
    libelle: str
    unite: str
    reference: str = ""
    definition: str = ""

    @property
    def entete(self) -> str:
        """Column header: « Libellé (unité) », without unit for text, years and plain counts."""
        if self.unite in ("texte", "année", "nombre", ""):
            return self.libelle
        return f"{self.libelle} ({self.unite})"


_TERMES: dict[str, Terme] = {}


def declarer(*termes: Terme) -> None:
    """Register terms (read from the YAML files at import); a duplicated name or an unknown unit is refused."""
    for t in termes:
        if t.nom in _TERMES:
            raise ValueError(f"terme déclaré deux fois dans le vocabulaire : {t.nom!r}")
        if t.unite not in UNITES:
            raise ValueError(f"unité inconnue pour {t.nom!r} : {t.unite!r} (unités admises : {', '.join(UNITES)})")
        _TERMES[t.nom] = t


def terme(nom: str) -> Terme:
    try:
        return _TERMES[nom]
    except KeyError:
        raise KeyError(f"terme absent du vocabulaire : {nom!r}") from None


def existe(nom: str) -> bool:
    return nom in _TERMES


def libelle(nom: str) -> str:
    return terme(nom).libelle


def unite(nom: str) -> str:
    return terme(nom).unite


def reference(nom: str) -> str:
    return terme(nom).reference


def entete(nom: str) -> str:
    return terme(nom).entete


def entetes(noms) -> dict[str, str]:
    """``{nom: « Libellé (unité) »}`` for the given names (for ``DataFrame.rename(columns=...)``)."""
    return {n: entete(n) for n in noms}


def termes() -> list[Terme]:
    """Every term, sorted by name (the glossary and the documentation are generated from this list)."""
    return [_TERMES[n] for n in sorted(_TERMES)]


def _lire(dossier: Path = DOSSIER) -> None:
    for fichier in sorted(dossier.glob("*.yaml")):
        try:   # strict YAML: a term declared twice in one file would silently keep its second definition
            entrees = charger_yaml(fichier.read_text(encoding="utf-8")) or {}
        except RefusYaml as exc:
            raise ValueError(f"{fichier.name} : {exc.raison}") from None
        for nom, d in entrees.items():
            inconnues = set(d) - {"libelle", "unite", "reference", "definition"}
            if inconnues or "libelle" not in d or "unite" not in d:
                raise ValueError(f"{fichier.name} : entrée {nom!r} mal formée (libelle, unite, reference)")
            declarer(Terme(str(nom), str(d["libelle"]), str(d["unite"]), str(d.get("reference", "")),
                           str(d.get("definition", ""))))


_lire()
