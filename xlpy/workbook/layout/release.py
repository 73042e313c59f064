"""Release: the results paragraph of the announcement, drafted by native formulas.

Twelve figure cells (the figures as the paragraph states them, units in principal too) and six sentence cells,
each the formula twin of :func:`xlpy.engine.release.release_figures` or of one sentence of
:func:`xlpy.engine.release.release_sentences` (the validator compares them word for word).
"""

from __future__ import annotations


from ...engine.release import NOT_STATED
from .entries import CREDIT
from .model import Block, Item, Shape, Sheet, place


def english(x: str, places: int = 0, groups: int = 4) -> str:
    r"""An Excel expression showing the number *x* as ``TEXT(x,"#,##0")`` (*places* 0), ``TEXT(x,"#,##0.0")``
    (1) or ``TEXT(x,"#,##0.00")`` (2) shows it on an English-language machine, on every machine.

    A format's ``,`` and ``.`` are the machine's separators (LibreOffice, and Excel in German or French, show
    ``274.000`` and ``9,6``), so the release, written in English, would read otherwise in Frankfurt.  Here they
    are literal characters between placeholders (``0\,000\.0``), which no locale reads as its own, the figure
    scaled to whole tenths (or hundredths) first when it has decimal places.  *groups* is the most thousands
    separators the figure can need (four: every whole figure a workbook holds); a figure known to be smaller
    gives fewer, and so a shorter formula.

    >>> print(english("A1", 1).split(",IF(")[-1])
    ABS(ROUND(A1*10,0))>=10000,"0\,000\.0","0\.0")))))
    """
    m = f"ROUND({x}*{10 ** places},0)" if places else f"ROUND({x},0)"
    tail, scale = ("\\." + "0" * places, 10 ** places) if places else ("", 1)
    fmt = f'"0{tail}"'
    group = "\\,000"
    for k in range(1, groups + 1):
        fmt = f'IF(ABS({m})>={1000 ** k * scale},"0{group * k}{tail}",{fmt})'
    return f"TEXT({m},{fmt})"


def _sig2_formula(small: str, large: str, groups: int) -> str:
    """Two significant figures of *small* below 1 in size, else of *large*, its equal there (``"dollars"``: of the
    amount below a dollar, else of it rounded to the cent)."""
    places = f"(1-INT(LOG10(ABS({small}))))"
    # (below 1, a place fewer when the rounding reaches the next power of ten: 0.995 is "1.0", not "1.00"; the
    # digits scaled to a whole number, shown after a literal point, as english() does)
    fewer = f"(ABS(ROUND({small},{places}))>=10^(2-{places}))"
    decimals = f"({places}-{fewer})"
    return (f'IF({small}=0,"0",IF(ABS({small})<1,TEXT(ROUND(ROUND({small},{places})*10^{decimals},0),"0\\."&'
            f'REPT("0",{decimals})),{english(f"ROUND({large},MIN(0,(1-INT(LOG10(ABS({large}))))))", groups=groups)}))')


def approx_formula(x: str, style: str = "auto", groups: int = 4, size: str | None = None,
                   cents: str | None = None) -> str:
    """An Excel expression giving :func:`xlpy.engine.release.approx` of *x*, word for word, on every machine
    (:func:`english`); *groups*, the most thousands separators *x* can need shown whole (four: any figure).
    For ``"dollars"``, *size* and *cents* may name shorter expressions of ``ABS(x)`` and of it rounded to the cent.

    >>> approx_formula("A1", "thousands") == english("ROUND(A1,-3)")
    True
    """
    thousands = english(f"ROUND({x},-3)", groups=groups)
    millions = (  # (ten million and more: whole millions, the figure's groups but two; below: tenths, none)
        f'IF(ROUND(ABS({x})/1000000,1)>=10,{english(f"ROUND({x}/1000000,0)", groups=max(groups - 2, 0))},'
        f'{english(f"ROUND({x}/1000000,1)", 1, 0)})&" million"'
    )
    billions = (
        f'IF(ROUND(ABS({x})/1000000000,1)>=10,{english(f"ROUND({x}/1000000000,0)", groups=max(groups - 3, 0))},'
        f'{english(f"ROUND({x}/1000000000,1)", 1, 0)})&" billion"'
    )
    sig2 = _sig2_formula(x, x, groups)
    if style == "thousands":
        return thousands
    if style == "millions":
        return millions
    if style == "sig2":
        return sig2
    if style == "dollars":  # (from $1, from the cents as the engine: binary arithmetic holds $19.50 as 19.49999...)
        size = size or f"ABS({x})"
        a = cents or f"ROUND({size},2)"
        return (
            # (each branch's figure is known small: billions of a money figure below 10^13, millions below a
            # thousand, thousands below a million, the rest below ten thousand)
            f'IF({x}<0,"-","")&"$"&IF(ROUND({a}/1000000,1)>=1000,{english(f"ROUND({a}/1000000000,1)", 1, 1)}&'
            f'" billion",IF(ROUND({a},-3)>=1000000,'
            + f'{english(f"ROUND({a}/1000000,1)", 1, 0)}&" million"'
            + f",IF({a}>=10000,"
            + approx_formula(a, "thousands", 1)
            + f',IF(AND({a}>=1,{a}<10),IF(ROUND({a},1)>=10,"10",{english(f"ROUND({a},1)", 1, 0)}),'
            + _sig2_formula(size, a, 1)
            + "))))"
        )
    # (each branch's figure known small: below ten thousand, a million, a thousand millions)
    return (f"IF(ABS({x})<10000,{approx_formula(x, 'sig2', 1)},IF(ROUND(ABS({x}),-3)<1000000,"
            f"{approx_formula(x, 'thousands', 1)},IF(ROUND(ABS({x})/1000000,0)<1000,{approx_formula(x, 'millions', 2)},"
            f"{billions})))")


#: "noncash " when the consideration is stock alone (cash in lieu of fractions aside), else nothing.
_NONCASH = 'IF(Sweetener+ArrearsPaid=0,"noncash ","")'

#: The charge sentence's words for an induced conversion (never negative: holders receiving less than the original
#: terms give fail the test, InducedTest on Results).
_INDUCED = ('IF(Kind="preferred","one-time "&{n}&"dividend charge against earnings","one-time "&{n}&'
            '"inducement expense")').format(n=_NONCASH)
#: Its verb: any measure negative to the cent is recorded; and the amount without its sign (a credit's or a
#: gain's figure has none already).
_RECORDED = 'IF(EntryCharge<0,"record","be required to take")'
_AMOUNT = 'SUBSTITUTE(ReleaseChargeText,"-","")'


#: The charge as the paragraph states it: a credit or a gain (:func:`xlpy.engine.release.is_credit`) without
#: its sign.
STATED_CHARGE = f"IF({CREDIT},-InducedCharge,InducedCharge)"


#: Whether the paragraph states units as aggregate principal amount (:func:`xlpy.engine.release.in_principal`): a
#: notes offer whose face per unit is given.
IN_PRINCIPAL = 'AND(Kind<>"preferred",FacePerUnit<>"")'
#: ... and how it says one: "$79.0 million aggregate principal amount".
_PRINCIPAL = '" aggregate principal amount"'


def _principal(x: str) -> str:
    """An Excel expression stating the units *x* in dollars of principal for a notes offer with a face, else "n/a"
    (:func:`xlpy.engine.release.release_figures`, ``..._principal``)."""
    figure = f"{x}*FacePerUnit"  # (never below zero: its size is itself)
    return f'IF({IN_PRINCIPAL},{approx_formula(figure, "dollars", size=figure)},"{NOT_STATED}")'


def exact_dollars_formula(x: str) -> str:
    """An Excel expression giving :func:`xlpy.engine.release.exact_dollars` of *x*: whole dollars when *x* is
    whole to the cent, else dollars and cents (:func:`english`, every machine alike)."""
    cents = f"ROUND({x},2)"
    return f'"$"&IF({cents}=ROUND({cents},0),{english(cents)},{english(cents, 2)})'


#: The title of the figures the paragraph states: every one of them leaves failed deliveries out, the principal
#: amounts too (the Cover and Tenders count them in the units tendered and guaranteed).
FIGURES_TITLE = "Figures as the release states them (failed deliveries left out)"
#: The units the paragraph states: those tendered less the failed deliveries, on any count, as the units accepted
#: leave them out; the offer's own left (later exchanges left out).
_TENDERED = "(Tendered-FailedDelivery)"
_GUARANTEED = "(GuaranteedDelivery-FailedDelivery)"
_REMAINING = "(Outstanding-UnitsAccepted)"


def _figures() -> tuple[Item, ...]:
    """The figures the paragraph states (:func:`xlpy.engine.release.release_figures`), each in its own cell."""
    return (
        # less the failed deliveries, and labelled so: the Cover and Tenders count them in
        Item("ReleaseTenderedText", "Tendered, less failed", f"={approx_formula(_TENDERED)}", "text"),
        Item("ReleaseGuaranteedText", "Guaranteed, less failed", f"={approx_formula(_GUARANTEED)}", "text"),
        Item("ReleaseAcceptedText", "Accepted", f"={approx_formula('UnitsAccepted')}", "text"),
        # the offer's own: later exchanges left out
        Item("ReleaseRemainingText", "Remaining (this offer)", f"={approx_formula(_REMAINING)}", "text"),
        # notes with a face: the same in principal ("n/a" for any other offer)
        Item("ReleaseTenderedPrincipal", "Tendered, principal", f"={_principal(_TENDERED)}", "text"),
        Item("ReleaseGuaranteedPrincipal", "Guaranteed, principal", f"={_principal(_GUARANTEED)}", "text"),
        Item("ReleaseAcceptedPrincipal", "Accepted, principal", f"={_principal('UnitsAccepted')}", "text"),
        Item("ReleaseRemainingPrincipal", "Remaining, principal", f"={_principal(_REMAINING)}", "text"),
        Item("ReleaseCommonBeforeText", "Common before", f"={approx_formula('CommonBefore')}", "text"),
        Item("ReleaseCommonIssuedText", "Common issued", f"={approx_formula('CommonIssued')}", "text"),
        Item("ReleaseCommonAfterText", "Common after (this offer)",
             f"={approx_formula('(CommonBefore+CommonIssued)')}", "text"),
        # a credit or a gain (the test failing, the measure negative to the cent) without its sign, as stated
        Item("ReleaseChargeText", "Charge, credit or gain",
             f"={approx_formula(STATED_CHARGE, 'dollars', size='ABS(InducedCharge)', cents='ABS(EntryCharge)')}",
             "text"),
    )


def shown_unit_formula(x: str) -> str:
    """An Excel expression giving the place of the last digit :func:`approx_formula` shows of the count *x* (auto
    style): the twin of :func:`xlpy.engine.release._shown_unit`."""
    a = f"ABS({x})"
    return (f"IF({a}<10000,10^MAX(0,INT(LOG10(MAX({a},1)))-1),IF(ROUND({a},-3)<1000000,1000,"
            f"IF(ROUND({a}/1000000,0)<1000,IF(ROUND({a}/1000000,1)>=10,1000000,100000),"
            f"IF(ROUND({a}/1000000000,1)>=10,1000000000,100000000))))")


def sheet(shape: Shape) -> Sheet:
    """The Release sheet for an offer of this *shape*.

    The figures as the release states them (:func:`xlpy.engine.release.release_figures`), then the same six
    sentences as :func:`xlpy.engine.release.release_sentences`,
    under the same rules: the offer's own figures (later exchanges left out),
    failed deliveries left out, odd lots accepted first said, nothing said in words.
    """
    name = 'IF(ShortName="",Issuer,ShortName)'
    noun = 'IF(Kind="preferred","shares","notes")'
    t, g, left, accepted = (f'IF({IN_PRINCIPAL},Release{k}Principal,Release{k}Text)'
                            for k in ("Tendered", "Guaranteed", "Remaining", "Accepted"))
    before, after, by = "ReleaseCommonBeforeText", "ReleaseCommonAfterText", "ReleaseCommonIssuedText"
    tendered, guaranteed = _TENDERED, _GUARANTEED
    p, of_principal = IN_PRINCIPAL, _PRINCIPAL

    def noun_of(figure: str) -> str:  # "1 share", "274,000 shares": *figure* the words of the count
        return f'IF(Kind="preferred","share","note")&IF({figure}="1","","s")'

    def were(figure: str) -> str:  # (an amount of principal "was")
        return f'IF(OR({p},{figure}="1"),"was","were")'

    def units_of(figure: str) -> str:  # "274,000 shares", "$79.0 million aggregate principal amount"
        return f'{figure}&IF({p},{of_principal}," "&{noun_of(figure)})'

    count = 'IF(FinalCount,"final","preliminary")'
    # odd lots accepted in full before the rest are prorated (a holder tally's: counts alone give no odd lots)
    odd = ('""' if shape.tally != "holders" else
           'IF(OddLotUnits>0," after giving effect to the priority for odd lots","")')
    credit = CREDIT
    induced, recorded, amount = _INDUCED, _RECORDED, _AMOUNT
    what = (
        f'IF({credit},IF(Kind="preferred","one-time credit to retained earnings on the redemption",'
        '"one-time gain on extinguishment"),'
        f'IF(InducedTest,{induced},IF(Kind="preferred","one-time charge on the redemption",'
        '"one-time loss on extinguishment")))'
    )
    quarter = ('IF(FiscalYearEnd=12,"","fiscal ")&CHOOSE(INT(MOD(MONTH(ValuationDate)-FiscalYearEnd-1,12)/3)+1,'
               '"first","second","third","fourth")&" quarter"')
    out = english("Outstanding")
    sentences = (
        Item("ReleaseSentence1", "Tendered",
             f'=IF({tendered}=0,"Based on a "&{count}&" count, no "&{noun}&" were tendered.",'
             f'"Based on a "&{count}&" count, approximately "&{units_of(t)}&IF({p}," of notes","")&" "&{were(t)}'
             f'&" tendered and not withdrawn"&IF({guaranteed}=0,"",", of which approximately "&'
             f'{g}&" "&{were(g)}&" tendered pursuant to "&IF({guaranteed}=1,"a notice","notices")'
             '&" of guaranteed delivery")&".")',
             "text"),
        Item("ReleaseSentence2", "Acceptance",
             f'=IF(UnitsAccepted=0,{name}&" will accept no "&{noun}&".",'
             f'IF(ProrationFactor=1,{name}&" will accept "&IF(UnitsAccepted=1,"the properly tendered "&IF(Kind="preferred","share","note"),'
             f'"all of the properly tendered "&{noun})&".",'
             f'{name}&" will accept approximately "&{accepted}&IF({p},{of_principal},"")&" of the properly '
             f'tendered "&{noun}&" on a pro rata basis"&{odd}&"."))', "text"),
        Item("ReleaseSentence3", "Outstanding before",
             f'="When the offer commenced, there "&IF({p},"was "&{exact_dollars_formula("Outstanding*FacePerUnit")}&'
             f'{of_principal},{were(out)}&" "&{out}&" "&{noun_of(out)})&" of "&Security&" issued and outstanding."',
             "text"),
        Item("ReleaseSentence4", "Remaining",
             f'="As a result of the exchange offer, "&{name}&" expects to have "&IF((Outstanding-UnitsAccepted)=0,'
             f'"no "&IF({p},"",{noun}&" of "),"approximately "&{units_of(left)}&" of ")&Security&" outstanding '
             'immediately following issuance of the exchanged common shares."', "text"),
        Item("ReleaseSentence5", "Common stock",
             '="The outstanding shares of common stock will "&IF(CommonIssued=0,"remain approximately "&'
             f'{before},IF(OR({before}={after},2*CommonIssued<{shown_unit_formula("(CommonBefore+CommonIssued)")}),'
             f'"increase by approximately "&{by},"increase from approximately "&{before})&" to approximately "&'
             f'{after})&"."', "text"),
        Item("ReleaseSentence6", "Charge sentence",
             f'="Based on the "&{count}&" count, "&{name}&" will "&IF(ROUND(InducedCharge,2)=0,"not be required to '
             f'take a "&{what}&" as a result of the offer.",{recorded}&" a "&'
             f'{what}&" in the "&{quarter}&" in the amount of approximately "&{amount}&" as a result of the '
             'offer.")',
             "text"),
        Item("ReleaseParagraph", "Paragraph (to copy)",
             '=ReleaseSentence1&" "&ReleaseSentence2&" "&ReleaseSentence3&" "&ReleaseSentence4&" "&ReleaseSentence5'
             '&" "&ReleaseSentence6', "text"),
    )
    blocks, _ = place([Block(FIGURES_TITLE, _figures()),
                       Block("Results paragraph (draft)", sentences)])
    return Sheet("Release", "Release draft", blocks, widths={"B": 18, "C": 90})
