"""Tallies as an exchange agent's reports write them: page totals under one label, sections' summaries and grand
totals, numbered pages.  Each total is refused by row, and the holders beside them are read."""

from __future__ import annotations

import office_tallies
from office_tallies import lines, problems, way_out, write

from xlpy.files import sources

stated, named = office_tallies.stated, office_tallies.named  # (the fixtures)
label = office_tallies.label  # (shadowed by a loop's variable in a test: not an import)


def test_an_agents_page_totals_under_one_label_are_refused_over_a_single_line_too(tmp_path, stated):
    """An agent's page totals under one label (`DTC Total` after each page): a page of a single line was read as a
    holder, and every later `DTC Total` then added up lines that held it, so none was refused (4 of the 33,000 page
    totals of a 99,000-line tally named); a grand total under the same label, first or last, was read too.  A
    label on two or more lines is judged first by the lines since the line before of that label."""
    from xlpy.files.totals import totals_rows

    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    body = "A,100\r\nDTC Total,100\r\nB,50\r\nC,50\r\nDTC Total,100\r\nD,7\r\nDTC Total,7\r\n"
    assert named(body) == ["row 3", "row 6", "row 8"]
    got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
    assert got[0].startswith("t.csv: row 3, column Holder: looks like a totals row, not a holder: its units are those "
                             "of row 2 added up, the lines since the line before of its id (a page total), as row 6's "
                             "are; delete it if it is one")
    top = ("DTC Total,700\r\nF,200\r\nJ,100\r\nDTC Total,300\r\nB,50\r\nF,100\r\nDTC Total,150\r\nC,200\r\n"
           "S,50\r\nDTC Total,250\r\n")
    assert named(top) == ["row 2", "row 5", "row 8", "row 11"]
    assert "its units are those of the page totals of its id (rows 5, 8, 11) added up" in problems(
        sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + top), stated)[0]
    assert named("Smith,100\r\nDTC Total,100\r\nBrown,4051\r\nDTC Total,4051\r\nDTC Total,4151\r\n") == [
        "row 3", "row 5", "row 6"]
    # any case and spacing; a holder whose id holds a totals word within a page is one of its lines
    assert named("A,100\r\nPage Total,100\r\nTotal Return Fund,50\r\nC,50\r\nPAGE  TOTAL,100\r\nD,7\r\n"
                 "page total,7\r\n") == ["row 3", "row 6", "row 8"]
    # a holder's name on lines here and there is not a label unless every line of it adds up the lines between, and
    # a holder that subtotal rows name (French Excel's Total Total SA over the Total SA lines) is none
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\nTotal SA,100\r\nB,50\r\nC,50\r\nTotal SA,70\r\n"
                                    "D,30\r\nTotal SA,5\r\n"), stated).units == (100, 50, 50, 70, 30, 5)
    assert named("Total Total SA,100\r\nTotal SA,100\r\nTotal B,100\r\nB,50\r\nB,50\r\nTotal Total SA,100\r\n"
                 "Total SA,100\r\nTotal C,100\r\nC,100\r\nTotal Total SA,100\r\nTotal SA,100\r\n") == [
        f"row {r}" for r in (2, 4, 7, 9, 11)]
    # a label above the first page, one page under a grand total of the same label, a section's grand total between
    assert named("Grand Total,1600\r\nTTL Partners,100\r\nTotal Certificated,100\r\nEuroclear,500\r\nEuroclear,1000\r\n"
                 "Total Certificated,1500\r\n") == ["row 2", "row 4", "row 7"]
    assert named("DTC Total,2600\r\nSmith,2500\r\nAcme,100\r\nDTC Total,2600\r\n") == ["row 2", "row 5"]
    assert named("A,100\r\nB,50\r\nTTL DTC,150\r\nC,70\r\nTTL DTC,70\r\nTTL DTC,220\r\nD,5\r\nE,5\r\nTTL DTC,10\r\n"
                 "F,3\r\nTTL DTC,3\r\n") == [f"row {r}" for r in (4, 6, 7, 10, 12)]
    # a holder's lines of other units one under another are no page totals
    body = ("Total SA,300\r\nBlackRock Inc.,100\r\nPIMCO Total Return Fund,0\r\nTotal SA,100\r\nTotal SA,150\r\n"
            "PIMCO Total Return Fund,50\r\nPIMCO Total Return Fund,100\r\nSum Ka Wai,100\r\nTotal SA,150\r\n")
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == (
        300, 100, 0, 100, 150, 50, 100, 100, 150)
    # at scale: 30,000 pages of one to three lines, each page total named
    ids, units = [], []
    for k in range(30_000):
        lines = [100, 50, 7][:1 + k % 3]
        ids += [f"H{k:06d}-{j}" for j in range(len(lines))] + ["DTC Total"]
        units += lines + [sum(lines)]
    assert [i for i, _ in totals_rows(ids, None, units)] == [i for i, h in enumerate(ids) if h == "DTC Total"]


def test_a_summary_with_lines_after_it_is_refused_and_no_line_sums_its_own_lines_of_one_status(tmp_path, stated):
    """Review 47: the subtotals repeated in a summary were refused only at the very end of the file, so a summary
    followed by a late line, or by another section, was read (850 units counted for 430); a line was refused as the
    sum of the tendered lines above it when those were its own (`Total Return Fund` 200 under its 100 and 100, a
    withdrawn line between)."""
    def named(body: str, header: str = "Holder,Shares") -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, f"{header}\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    subtotals = "Cede,100\r\nCede,200\r\nCede Total,300\r\nEuroclear,50\r\nEuroclear,70\r\nEuroclear Total,120\r\n"
    assert named(subtotals + "Cede Total,300\r\nEuroclear Total,120\r\nSmith,10\r\n") == [
        "row 4", "row 7", "row 8", "row 9"]
    pages = "A,100\r\nB,200\r\nDTC Total,300\r\nC,50\r\nD,70\r\nDTC Total,120\r\nDTC Total,300\r\nDTC Total,120\r\n"
    assert named(pages + "Grand Total,420\r\nSmith,10\r\n") == [f"row {r}" for r in (4, 7, 8, 9, 10)]
    assert named(pages + "E,10\r\nF,20\r\nTotal Certificated,30\r\n") == [f"row {r}" for r in (4, 7, 8, 9, 12)]
    # a holder's lines under a summary of its own are read (not directly under a total: a holder's line between)
    assert named("A,60\r\nB,40\r\nDTC Total,100\r\nC,70\r\nD,30\r\nChan Ka Sum,100\r\nDTC Total,200\r\nE,100\r\n"
                 "Chan Ka Sum,100\r\nF,50\r\nDTC Total,250\r\n") == ["row 4", "row 7", "row 8", "row 12"]
    for fund in ("Total Return Fund", "Chan Ka Sum"):
        body = f"{fund},100,tendered\r\nSmith,50,withdrawn\r\n{fund},100,tendered\r\n{fund},200,tendered\r\n"
        tally = sources.read_tally(write(tmp_path, "Holder,Shares,Status\r\n" + body), stated)
        assert tally.units == (100, 50, 100, 200), fund
    assert named("A,100,tendered\r\nSmith,50,withdrawn\r\nB,100,tendered\r\nDTC Total,200,tendered\r\n",
                 "Holder,Shares,Status") == ["row 5"]
    # a summary above a late line, at least two of its lines one under another, or a single line naming a holder
    assert named("A Ergebnis,300\r\nA,100\r\nA,200\r\nB Ergebnis,50\r\nB,50\r\nA Ergebnis,300\r\nB Ergebnis,50\r\n"
                 "C,10\r\n") == ["row 2", "row 5", "row 7", "row 8"]
    assert named("Total DTC 0022,7155\r\nDTC 0022,7155\r\nTotal Acme,9026\r\nAcme,9026\r\nTotal DTC 0022,7155\r\n"
                 "Euroclear,8709\r\n") == ["row 2", "row 4", "row 6"]


def test_an_agents_sections_summaries_and_grand_totals_under_one_page_label(tmp_path, stated):
    """Review 48: a section's grand total standing over its pages made the whole label a holder's (334 units read
    for 167 after 31009b8's refusals, 501 now and before it); a summary line directly under a page total of no units
    was read; a holder's two equal lines one under another passed as a page total and its grand total; runs of
    lines of no units repeating a total were walked line by line from each of them (32,000 lines: 47 s); and units
    of -2**63 passed the overflow guard, so sums wrapped."""
    from xlpy.files.totals import totals_rows

    def named(body: str) -> list[str]:
        got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated)
        return [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got]

    def refused(ids: list[str], units: list[int]) -> list[int]:
        return [i for i, _ in totals_rows(ids, None, units)]

    ids = ["DTC Total", "A", "DTC Total", "B", "C", "DTC Total", "DTC Total", "D", "DTC Total", "E", "DTC Total"]
    assert refused(ids, [151, 100, 100, 50, 1, 51, 16, 7, 7, 9, 9]) == [0, 2, 5, 6, 8, 10]
    assert "its units are those of the page totals of its id (rows 10, 12) added up" in dict(
        totals_rows(ids, None, [151, 100, 100, 50, 1, 51, 16, 7, 7, 9, 9]))[6]
    assert named("A,100\r\nB,150\r\nTTL DTC,250\r\nC,50\r\nD,70\r\nTTL DTC,120\r\nAcme,0\r\nTTL DTC,0\r\n"
                 "TTL DTC,250\r\nTTL DTC,120\r\n") == ["row 4", "row 7", "row 10", "row 11"]
    body = "Tot Lot LLC,3000\r\nA,50\r\nB,50\r\nTot Lot LLC,100\r\nTot Lot LLC,100\r\n"
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == (3000, 50, 50, 100, 100)
    zeros = ["Chan Ka Sum", "Chan Ka Sum Total", "Smith"] + ["Chan Ka Sum Total"] * 20_000 + ["Jones"]
    assert refused(zeros, [0, 0, 100] + [0] * 20_000 + [50]) == [1]
    assert refused(["A", "B", "C", "DTC Total"], [-2**63, -2**63, 5, 5]) == []
    # a grand total of 100,000 page totals names five of them and their number
    ids, units = ["A", "DTC Total"] * 100_000 + ["DTC Total"], [5, 5] * 100_000 + [500_000]
    assert totals_rows(ids, None, units)[-1][1].startswith(
        "looks like a totals row, not a holder: its units are those of the page totals of its id (rows 3, 5, 7, 9, "
        "11, ... (100,000 page totals)) added up")


def test_an_agents_pages_of_one_line_each_are_refused_when_the_files_grand_total_leaves_them_out(
        tmp_path, stated, named):
    """Every page of one line, its page total is what an honest holder tendering the units of the line above
    looks like: `A 100 / DTC Total 100 / B 120 / DTC Total 120 / Grand Total 220` was read at 440 units once the
    grand total was deleted as told.  The file's own grand total (a label, or an id saying grand, below the pages or
    above them) adding up every line but the label's says those lines were not counted in it.  A holder's name on
    such lines stays a holder's when the grand total counts them, or when there is none."""

    body = "A,100\r\nDTC Total,100\r\nB,120\r\nDTC Total,120\r\nGrand Total,220\r\n"
    assert problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + body), stated) == [
        "t.csv: row 3, column Holder: looks like a totals row, not a holder: its units are those of row 2 added up, "
        f"the lines since the line before of its id (a page total), as row 5's are; delete it if it is one; "
        f"{way_out('DTC Total')}, got 'DTC Total'",
        "t.csv: row 5, column Holder: looks like a totals row, not a holder: its units are those of row 4 added up, "
        f"the lines since the line before of its id (a page total), as row 3's are; delete it if it is one; "
        f"{way_out('DTC Total')}, got 'DTC Total'",
        f"t.csv: row 6, column Holder: {label('Grand Total')}, got 'Grand Total'"]
    # with a late line after the pages, a grand total of another id under them, or one above them
    assert named("A,100\r\nTotal SA,100\r\nB,50\r\nTotal SA,50\r\nC,10\r\nGrand Total,160\r\n") == [
        "row 3", "row 5", "row 7"]
    assert named("A,100\r\nDTC Total,100\r\nB,120\r\nDTC Total,120\r\nEuroclear Grand Total,220\r\n") == [
        "row 3", "row 5", "row 6"]
    assert named("Grand Total,220\r\nA,100\r\nDTC Total,100\r\nB,120\r\nDTC Total,120\r\n") == [
        "row 2", "row 4", "row 6"]
    # a grand total counting the lines of the label: a holder's lines
    assert named("A,100\r\nTotal SA,100\r\nB,50\r\nTotal SA,50\r\nC,10\r\nGrand Total,310\r\n") == ["row 7"]
    body = "A,100\r\nTotal SA,100\r\nB,50\r\nTotal SA,50\r\nC,10\r\n"
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == (100, 100, 50, 50, 10)


def test_an_agents_page_totals_of_the_tendered_lines_are_refused_past_a_withdrawn_line(tmp_path, stated):
    """A page total of the tendered lines of its page, past a withdrawn one on it, was no page total: the page
    total over two lines under it went with it, and both were read (300 tendered units for 150)."""
    path = write(tmp_path, "Holder,Shares,Status\r\nA,100,tendered\r\nB,50,withdrawn\r\nDTC Total,100,\r\n"
                           "C,30,tendered\r\nD,20,tendered\r\nDTC Total,50,\r\n")
    assert problems(sources.read_tally, path, stated) == [
        "t.csv: row 4, column Holder: looks like a totals row, not a holder: its units are those of the tendered "
        "lines of rows 2 to 3 added up, the lines since the line before of its id (a page total), as row 7's are; "
        f"delete it if it is one; {way_out('DTC Total')}, got 'DTC Total'",
        "t.csv: row 7, column Holder: looks like a totals row, not a holder: its units are those of rows 5 to 6 "
        "added up, the lines since the line before of its id (a page total), as row 4's are; delete it if it is "
        f"one; {way_out('DTC Total')}, got 'DTC Total'"]
    # pages of one line each but for the withdrawn: confirmed by the tendered lines' own total at the end
    path = write(tmp_path, "Holder,Shares,Status\r\nA,100,tendered\r\nB,50,withdrawn\r\nDTC Total,100,\r\n"
                           "C,30,tendered\r\nDTC Total,30,\r\nD,20,tendered\r\nE,5,withdrawn\r\nDTC Total,20,\r\n"
                           "Total tendered,150,\r\n")
    assert [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in problems(
        sources.read_tally, path, stated)] == ["row 4", "row 6", "row 9", "row 10"]


def test_a_second_labels_first_page_and_a_sections_grand_total_under_the_files_are_refused(tmp_path, stated, named):
    """A label's first page was added up from the top of the file only: under another label's pages it added up
    nothing, and with its one other page of one line the label was read as a holder's (`DTC Total` 80, 100 and
    their grand total 180 under the `Total Book Entry` pages).  A section's grand total as its label's first line,
    under the file's own grand total, was read too (`Total Book Entry` 300, once `Gesamtsumme` was deleted)."""

    body = ("Gesamtsumme,480\r\nTotal Book Entry,300\r\nA,100\r\nTotal Book Entry,100\r\nB,200\r\n"
            "Total Book Entry,200\r\nC,50\r\nD,30\r\nDTC Total,80\r\nE,100\r\nDTC Total,100\r\nDTC Total,180\r\n")
    assert named(body) == [f"row {r}" for r in (2, 3, 5, 7, 10, 12, 13)]
    assert named(body.split("\r\n", 1)[1]) == [f"row {r}" for r in (2, 4, 6, 9, 11, 12)]
    # a first page since another label's line is no page of two or more lines on its own: a holder's line again
    assert named("A,60\r\nB,40\r\nDTC Total,100\r\nC,70\r\nD,30\r\nChan Ka Sum,100\r\nDTC Total,200\r\nE,100\r\n"
                 "Chan Ka Sum,100\r\nF,50\r\nDTC Total,250\r\n") == ["row 4", "row 7", "row 8", "row 12"]


def test_a_sections_grand_total_of_one_page_or_of_all_above_and_a_summary_of_grand_totals_keep_the_label(
        tmp_path, stated, named):
    """Review 49: a line of an agent's page-total label directly under another that was no section's grand total of
    two or more pages, no repeat of a page total and no grand total of two or more pages next below it made the whole
    label a holder's: a section of one page with its grand total under it (42 units read for 12 once the first two
    were deleted), a summary repeating a grand total (29 for 7), two equal totals over a single page (12 for 3), a
    section of one page with its grand total over it, and the last line a section's grand total past a `Page Total`
    of 0.  A grand total of all the page totals above it, under a section of one page and a summary after it, was
    read right before and is still (a section's grand total of one page alone would have lost it)."""
    assert named(lines("A,100 / B,200 / DTC Total,300 / DTC Total,300 / C,400 / DTC Total,400 / D,500 / "
                       "DTC Total,500 / DTC Total,900 / DTC Total,1200")) == [f"row {r}" for r in (4, 5, 7, 9, 10, 11)]
    got = problems(sources.read_tally, write(tmp_path, "Holder,Shares\r\n" + lines(
        "A,100 / B,200 / DTC Total,300 / C,400 / DTC Total,400 / DTC Total,700 / DTC Total,300 / DTC Total,700 / "
        "DTC Total,400")), stated)
    assert [p.split(", column Holder: ")[0].removeprefix("t.csv: ") for p in got] == [
        f"row {r}" for r in (4, 6, 7, 8, 9, 10)]
    assert "its id and units are those of row 4, a total (repeated in a summary)" in got[3]
    assert "its units are those of the page totals of its id (rows 4, 6) added up" in got[4]
    assert named(lines("DTC Total,300 / DTC Total,300 / A,100 / B,200 / DTC Total,300")) == ["row 2", "row 3", "row 6"]
    assert named(lines("Orion LP,9712 / Orion LP,24535 / Lee,300 / Euroclear Total,34547 / Euroclear Total,34547 / "
                       "Euroclear Total,9046 / Lee,150 / DTC 0352,8596 / Euroclear Total,8746 / DTC 0352,200 / "
                       "DTC 0352,100 / Euroclear Total,300 / Euroclear Total,43593 / Euroclear Total,300")) == [
        f"row {r}" for r in (5, 6, 7, 10, 13, 14, 15)]
    assert named(lines("A,100 / B,200 / DTC Total,300 / C,400 / DTC Total,400 / DTC Total,700 / DTC Total,500 / "
                       "D,500 / DTC Total,500 / DTC Total,1200")) == [f"row {r}" for r in (4, 6, 7, 8, 10, 11)]
    assert named(lines("Euroclear Total,517 / Blue Fund,10 / Zeta Capital,500 / Cede,2 / Orion,5 / "
                       "Euroclear Total,517 / Euroclear Total,7976 / Acme,1994 / Cede,4985 / Smith,997 / "
                       "Euroclear Total,7976")) == [
        f"row {r}" for r in (2, 7, 8, 12)]
    assert named(lines("A,100 / B,50 / DTC Total,150 / DTC Total,150 / C,70 / D,30 / DTC Total,100 / E,5 / "
                       "DTC Total,5 / Page Total,0 / DTC Total,105")) == [f"row {r}" for r in (4, 5, 8, 10, 12)]
    # a holder's lines of other units one under another are still no page totals (review 48), nor its equal lines
    # under one page of some units with a line of its own above
    body = lines("Tot Lot LLC,3000 / A,50 / B,50 / Tot Lot LLC,100 / Tot Lot LLC,100")
    assert sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + body), stated).units == (3000, 50, 50, 100, 100)


def test_a_page_total_repeated_under_itself_mid_section_and_honest_names_near_page_labels(tmp_path, stated, named):
    """Review 50: a page total repeated directly under itself was taken for a section's grand total of one page, so
    the section's real grand total under the next page added up nothing and the whole label was read (128,035 units
    for 39,559); a running grand total under every page held a list of every page total above it (60,000 lines:
    1.6 GB).  An honest holder's line was taken for the file's grand total, or for another label's page total
    (the first page of a label may run from one), and a coincidence of the tendered lines for a page of two."""
    assert named(lines("A,6012 / B,3977 / DTC Total,9989 / C,5120 / DTC Total,5120 / DTC Total,15109 / D,20345 / "
                       "DTC Total,20345 / DTC Total,20345 / E,3107 / DTC Total,3107 / DTC Total,23452 / F,998 / "
                       "DTC Total,998")) == [f"row {r}" for r in (4, 6, 7, 9, 10, 12, 13, 15)]
    # a page total and a running grand total under every page, at scale: each page total and grand total named
    from xlpy.files.totals import totals_rows
    ids, units, running = [], [], 0
    for k in range(20_000):
        running += 1 + k % 997
        ids += [f"H{k:07d}", "DTC Total", "DTC Total"]
        units += [1 + k % 997, 1 + k % 997, running]
    assert [i for i, _ in totals_rows(ids, None, units)] == [i for i in range(len(ids)) if i % 3]
    # honest holders: no grand total of another id, no page from an honest line, no page of tendered lines alone
    for body in ("Acme Corp,1000 / Total SA,1000 / Blue Fund,500 / Total SA,500 / Chan Ka Sum,1500",
                 "Smith,100 / Chan Ka Sum,50 / Orion LP,150 / Total SA,150 / Blue Fund,50 / Orion LP,100 / "
                 "Total SA,150"):
        tally = sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + lines(body)), stated)
        assert tally.units == tuple(int(x.rsplit(",", 1)[1]) for x in body.split(" / ")), body
    body = lines("Blue Fund,300,tendered / TTL Partners,300,tendered / Acme Corp,100,tendered / "
                "Lee Family Trust,200,tendered / Jones,200,withdrawn / TTL Partners,300,tendered")
    tally = sources.read_tally(write(tmp_path, "Holder,Shares,Status\r\n" + body), stated)
    assert tally.units == (300, 300, 100, 200, 200, 300)
    # a grand total of the tendered lines says nothing of a label's withdrawn lines
    body = lines("Lee Family Trust,4991685,tendered / Total SA,4991685,withdrawn / Lee Family Trust,4740339,tendered / "
                "Total SA,4740339,withdrawn / TOTAL TENDERED,9732024,")
    assert named(body, "Holder,Shares,Status") == ["row 6"]


def test_a_running_grand_total_a_page_from_a_certain_total_and_an_overall_total_keep_the_label(tmp_path, stated, named):
    """Review 51: a grand total of all the page totals above it (a running one) ended the section, so the section's
    grand total under the next pages added up nothing and the label was read (4,314 units for 1,207); a label's first
    page from another label's page total no longer counted as one of its two pages, nor from a line such as
    `Summe` (203 and 120 units counted twice); and `Overall Total` was no file's grand total over one-line pages."""
    assert named(lines("A,100 / Total DTC,100 / B,150 / C,50 / Total DTC,200 / Total DTC,300 / D,300 / Total DTC,300 / "
                       "Total DTC,600 / E,100 / Total DTC,100 / F,200 / Total DTC,200 / G,300 / Total DTC,300 / "
                       "Total DTC,900 / H,7 / Total DTC,7")) == [
        f"row {r}" for r in (3, 6, 7, 9, 10, 12, 14, 16, 17, 19)]
    assert named(lines("A,100 / B,50 / Euroclear Total,150 / C,10 / Euroclear Total,10 / D,200 / DTC Total,200 / E,1 / "
                       "F,2 / DTC Total,3")) == [f"row {r}" for r in (4, 6, 8, 11)]
    assert named(lines("A,100 / B,200 / Summe,300 / C,50 / DTC Total,50 / D,70 / DTC Total,70 / Grand Total,420")) == [
        f"row {r}" for r in (4, 6, 8, 9)]
    assert named(lines("A,100 / DTC Total,100 / B,120 / DTC Total,120 / Overall Total,220")) == ["row 3", "row 5",
                                                                                               "row 6"]
    # many labels, each its own agent's pages: the lines certainly totals are kept in order once, not sorted again
    # for each label (10,000 labels were 7 s; 50,000, 143 s), and every page total is named
    from xlpy.files.totals import totals_rows
    ids, units = [], []
    for k in range(10_000):
        for a, b in ((1 + k % 97, 2 + k % 89), (3 + k % 83, 4 + k % 79)):
            ids += [f"H{k}a", f"H{k}b", f"Acct {k} Total"]
            units += [a, b, a + b]
    assert [i for i, _ in totals_rows(ids, None, units)] == list(range(2, len(ids), 3))


def test_an_agents_sections_of_one_line_pages_are_refused_by_two_of_their_grand_totals(tmp_path, stated, named):
    """Every page of one line and no file grand total: two sections' grand totals of two or more pages each (under
    their pages, or over them) say the label's lines are totals (1,020 units were read for 340), while a holder's
    name on one-page sections (two equal lines under a line of those units) is still a holder's."""
    sections = ("A,100 / DTC Total,100 / B,120 / DTC Total,120 / DTC Total,220 / C,50 / DTC Total,50 / D,70 / "
                "DTC Total,70")
    assert named(lines(f"{sections} / DTC Total,120")) == [f"row {r}" for r in (3, 5, 6, 8, 10, 11)]
    assert named(lines(f"{sections} / DTC Total,120 / E,9")) == [f"row {r}" for r in (3, 5, 6, 8, 10, 11)]
    assert named(lines("DTC Total,220 / A,100 / DTC Total,100 / B,120 / DTC Total,120 / DTC Total,120 / C,50 / "
                       "DTC Total,50 / D,70 / DTC Total,70")) == [f"row {r}" for r in (2, 4, 6, 7, 9, 11)]
    # (review 53: row 7 is the grand total of the page totals below it, not a summary's repeat of row 6)
    from xlpy.files.totals import totals_rows
    ids = ["DTC Total", "A", "DTC Total", "B", "DTC Total", "DTC Total", "C", "DTC Total", "D", "DTC Total"]
    why = dict(totals_rows(ids, None, [220, 100, 100, 120, 120, 120, 50, 50, 70, 70]))
    assert "the page totals of its id (rows 9, 11) added up" in why[5], why[5]
    # one section of two pages is not enough (a holder's name under two lines it equals, then their sum), nor are
    # sections of one page (a holder's two equal lines under a line of those units)
    for body in ("A,100 / Total SA,100 / B,120 / Total SA,120 / Total SA,220 / C,50 / Total SA,50 / E,9",
                 "Acme,400 / Total SA,400 / Total SA,400 / Blue,2000 / Total SA,2000 / Total SA,2000"):
        tally = sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + lines(body)), stated)
        assert tally.units == tuple(int(x.rsplit(",", 1)[1]) for x in body.split(" / ")), body


def test_overall_report_and_final_totals_are_labels_as_grand_totals_are(named):
    """Review 52: `Overall Total` (or `Report`, `Final Total`) was judged by its sum only, unlike `Grand Total`: last,
    over subtotals read as holders, it was read too (660 units for 220), and first it was never judged at all."""
    assert named(lines("A,100 / Subtotal Euroclear,100 / B,50 / C,70 / Subtotal DTC,120 / Overall Total,220")) == [
        "row 7"]
    assert named(lines("Overall Total,1000 / A,100 / B,200 / Subtotal Certificated,300 / C,300 / D,400 / "
                       "Subtotal DTC,700")) == ["row 2", "row 5", "row 8"]
    assert named(lines("Report Total,1000 / A,100 / B,200")) == ["row 2"]
    assert named(lines("A,100 / B,200 / Final Total,999")) == ["row 4"]
    # (review 53: Combined and Cumulative Totals too)
    assert named(lines("A,100 / Subtotal Euroclear,100 / B,50 / C,70 / Subtotal DTC,120 / Combined Total,220")) == [
        "row 7"]
    assert named(lines("A,100 / B,200 / Cumulative Total,999")) == ["row 4"]


def test_numbered_page_totals_are_one_labels_pages(named):
    """Review 52: `Page Total 1`, `Page Total 2`... were each a label of its own, so a page of one line (`Page Total
    2` under `C` alone) was read as a holder's, and with it every later page total of one label."""
    body = "A,100 / B,50 / Page Total 1,150 / C,70 / Page Total 2,70 / D,5 / E,6 / Page Total 3,11 / F,1 / G,2 / " \
           "Page Total 4,3 / H,1 / I,1 / Page Total 5,2"
    assert named(lines(body)) == [f"row {r}" for r in (4, 6, 9, 12, 15)]
    assert named(lines(body + " / Grand Total,236")) == [f"row {r}" for r in (4, 6, 9, 12, 15, 16)]
    assert named(lines(body.replace("Page Total ", "DTC Total #"))) == [f"row {r}" for r in (4, 6, 9, 12, 15)]
    # pages numbered again in a summary are the label's still; numbers that do not rise page by page (a total of
    # each broker's, twice) are ids of their own, each judged alone (review 53: one broker's miss dropped them all)
    assert named(lines(body + " / Page Total 1,150 / Page Total 2,70 / Page Total 3,11")) == [
        f"row {r}" for r in (4, 6, 9, 12, 15, 16, 17, 18)]
    assert named(lines("A,100 / Total Broker 22,100 / C,30 / D,20 / Total Broker 22,50 / E,10 / Total Broker 55,99 / "
                       "F,1 / Total Broker 55,1")) == ["row 3", "row 6"]
    # numbered ids beside the label unnumbered, not judged together: each judged alone, once (this never ended)
    from xlpy.files.totals import totals_rows
    assert totals_rows(["H0", "Euroclear Subtotal 1", "Euroclear Subtotal", "H1", "Euroclear Subtotal 3",
                        "Euroclear Subtotal"], None, [900, 900, 900, 600, 600, 600]) == []
    # a holder's number or an account after the word is an id of its own, not a page number
    from xlpy.files.pages import _page_number
    assert [_page_number(k) for k in ("page total 3", "dtc total #12", "total 2", "total dtc 0022", "dtc total 2/19")] \
        == [("page total", 3), ("dtc total", 12), ("total 2", None), ("total dtc 0022", None), ("dtc total 2/19", None)]


def test_a_summary_of_page_totals_under_a_section_total_of_another_id_keeps_the_label(named):
    """Review 52: a summary repeating the page totals under a section's total of another id (`Section Total`, no
    label) added up nothing since the line before of its id, so the whole label was read as a holder's (580 units
    for 220); a line with nothing but lines holding a totals word since the one before is as directly under it."""
    for label in ("DTC Total", "Total DTC"):
        assert named(lines(f"A,100 / B,50 / {label},150 / C,70 / {label},70 / Section Total,220 / {label},150 / "
                           f"{label},70")) == [f"row {r}" for r in (4, 6, 7, 8, 9)]
    # a page after a section's total is a page still
    assert named(lines("A,100 / B,50 / DTC Total,150 / C,70 / DTC Total,70 / Section Total,220 / D,10 / E,20 / "
                       "DTC Total,30 / F,5 / DTC Total,5 / Section Total,35")) == [
        f"row {r}" for r in (4, 6, 7, 10, 12, 13)]


def test_a_labels_first_page_runs_from_a_one_off_total_of_two_or_more_lines(named):
    """Review 52: a label's first page ran from a label or another label's page total only, so under a one-off total
    of another id (`Total Certificated`) it added up nothing, and the label, left one page, was read (8 units for 3);
    a one-off line adding up the two or more lines since the line before holding a totals word is certainly a
    total too."""
    assert named(lines("A,100 / B,50 / Total Certificated,150 / C,5 / DTC Total,5 / D,1 / E,2 / DTC Total,3")) == [
        "row 4", "row 6", "row 9"]


def test_a_first_line_ending_with_the_word_and_saying_grand_is_judged_as_the_files_total(tmp_path, stated, named):
    """Review 52: a first line whose id ends with the word (`DTC Grand Total`) was never judged as a total of the lines
    below it, and once read as a holder it hid the subtotals below it too; `Chan Ka Sum` first is a holder's still."""
    assert named(lines("DTC Grand Total,1000 / A,100 / B,200 / Subtotal Certificated,300 / C,300 / D,400 / "
                       "Subtotal DTC,700")) == ["row 2", "row 5", "row 8"]
    assert named(lines("DTC Grand Total,300 / A,100 / B,200")) == ["row 2"]
    tally = sources.read_tally(write(tmp_path, "Holder,Shares\r\n" + lines("Chan Ka Sum,300 / A,100 / B,200")), stated)
    assert tally.units == (300, 100, 200)
