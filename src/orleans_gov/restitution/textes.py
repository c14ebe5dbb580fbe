"""Small French text helpers shared by the generated sentences and tables: entity names, lists, ordinals, labels of
the vocabulary inside a sentence, headers with a year."""
from __future__ import annotations

import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.base.territoire import SIREN_AGGLO, nom_entite
from orleans_gov.restitution.formats import ND, fmt_nombre


def nom(entite) -> str:
    """French name of an entity of the perimeter; the identifier itself when it is not one of them."""
    try:
        return nom_entite(str(entite))
    except KeyError:
        return str(entite)


def liste(noms: list[str]) -> str:
    """« a », « a et b », « a, b et c »."""
    if not noms:
        return ""
    if len(noms) == 1:
        return noms[0]
    return ", ".join(noms[:-1]) + " et " + noms[-1]


def ordinal(n: int | None) -> str:
    """French ordinal of a rank: 1 → « 1re », 2 → « 2e »; None → « n.d. »."""
    if n is None:
        return "n.d."
    return "1re" if n == 1 else f"{n}e"


def dans_phrase(nom_terme: str) -> str:
    """The vocabulary label of ``nom_terme`` inside a sentence: first letter in lower case unless the label starts
    with an acronym (« Charges de personnel » → « charges de personnel », « DGF par habitant » stays)."""
    lib = vocabulaire.libelle(nom_terme)
    return lib if len(lib) > 1 and lib[1].isupper() else lib[:1].lower() + lib[1:]


def entete_annee(nom_terme: str, an, prefixe: str = "") -> str:
    """Header of a vocabulary term for one year: « Épargne brute 2013 (k€) »; a label ending with a day without
    year (« Encours de la dette au 31/12 ») takes the year after it (« … au 31/12/2013 (k€) »); ``an`` may also be a
    period or a moment written in words (« 2014–2020 », « en fin d'horizon »)."""
    t = vocabulaire.terme(nom_terme)
    annee = isinstance(an, int) or (isinstance(an, str) and an.isdigit())
    lib = f"{t.libelle}/{an}" if annee and t.libelle.endswith("31/12") else f"{t.libelle} {an}"
    texte = f"{prefixe}{lib}"
    return texte if t.unite in ("texte", "année", "nombre", "") else f"{texte} ({t.unite})"


def par_entite(df: pd.DataFrame, colonne: str = "entite") -> pd.DataFrame:
    """``df`` indexed by the entity's name (index « Entité »): the communes by name, then the agglomeration."""
    d = df.assign(_nom=df[colonne].map(nom), _agglo=(df[colonne].astype(str) == SIREN_AGGLO).astype(int))
    d = d.sort_values(["_agglo", "_nom"]).drop(columns="_agglo").set_index("_nom")
    d.index.name = vocabulaire.libelle("entite")
    return d


# ------------------------------------------------------------------------------------------------
# Plural agreement of counts (no hedged « commune(s) », « an(s) » in what readers see)
# ------------------------------------------------------------------------------------------------
_PLURIELS_IRREGULIERS = {"an": "ans", "pays": "pays", "réseau": "réseaux", "bureau": "bureaux", "travail": "travaux",
                         "agent de police": "agents de police", "fonction support": "fonctions support",
                         "hypothèse": "hypothèses"}
_VOYELLES = "aàâeéèêëiîïoôuùûyh"


def pluriel(mot: str) -> str:
    """Plural of a French noun of the deliverables: « commune » → « communes », « an » → « ans », a noun ending in
    s, x or z is unchanged; a noun group « fonction support » takes the plural on its head noun only."""
    if mot in _PLURIELS_IRREGULIERS:
        return _PLURIELS_IRREGULIERS[mot]
    if mot.endswith(("s", "x", "z")):
        return mot
    tete, _, reste = mot.partition(" ")
    return f"{tete}s" + (f" {reste}" if reste else "")


def est_pluriel(n) -> bool:
    """French rule for a count: plural from 2 on (« 0 commune », « 1,5 an », « 2 ans »; Grevisse §507)."""
    return n is not None and not pd.isna(n) and abs(float(n)) >= 2


def _nombre_texte(n, decimales: int) -> str:
    return fmt_nombre(n, decimales)


def compte(n, nom_: str, verbe: tuple[str, str] | None = None, *, pluriel_: str | None = None,
           feminin: bool = True, pronom: str = "", decimales: int = 0, aucun: bool = True) -> str:
    """A count with its noun (and verb) agreed: ``compte(1, "commune", ("est", "sont"))`` → « 1 commune est »,
    ``compte(3, "commune", ("est", "sont"))`` → « 3 communes sont », ``compte(0, "commune", ("perd", "perdent"),
    pronom="y")`` → « aucune commune n'y perd », ``compte(3, "an")`` → « 3 ans ».

    ``verbe``: the verb (with what follows it directly) in the 3rd person singular and plural; ``pronom``: a clitic
    placed before the verb (« y », « en »); ``feminin``: gender of the noun (« aucune » / « aucun »); with
    ``aucun=False`` zero is written « 0 » (« 0 commune »). A missing count is written « n.d. »."""
    if n is None or pd.isna(n):
        return f"{ND} {pluriel_ or pluriel(nom_)}"
    plur = est_pluriel(n)
    groupe = (pluriel_ or pluriel(nom_)) if plur else nom_
    if float(n) == 0 and aucun:
        texte = f"{'aucune' if feminin else 'aucun'} {nom_}"
        if verbe is None:
            return texte
        suite = f"{pronom} {verbe[0]}" if pronom else verbe[0]
        neg = "n'" if suite[:1].lower() in _VOYELLES else "ne "
        return f"{texte} {neg}{suite}"
    texte = f"{_nombre_texte(n, decimales)} {groupe}"
    if verbe is None:
        return texte
    v = verbe[1] if plur else verbe[0]
    return f"{texte} {pronom + ' ' if pronom else ''}{v}"


def accorde(n, singulier: str, pluriel_: str | None = None) -> str:
    """The form of a word (noun, adjective, participle, verb) agreeing with the count ``n``: ``accorde(3, "réussi")``
    → « réussis », ``accorde(1, "est", "sont")`` → « est » (singular first, then the plural when irregular)."""
    return (pluriel_ or pluriel(singulier)) if est_pluriel(n) else singulier


def majuscule(texte: str) -> str:
    """``texte`` with its first letter in upper case (markdown emphasis « ** » kept): a sentence opening with a
    count written « aucune … »."""
    i = len(texte) - len(texte.lstrip("*_ "))
    return texte[:i] + texte[i:i + 1].upper() + texte[i + 1:]


def de(nom_: str) -> str:
    """« de Saran », « d'Orléans », « d'Ingré » (elision before a vowel or a mute h)."""
    return f"d'{nom_}" if nom_[:1].lower() in _VOYELLES else f"de {nom_}"
