"""A group keeps a lead, and an application to a group that has none reaches the organisers."""

from __future__ import annotations

from bot.local import LocalCommunity
from bot.sandbox.models import Message
from tests.e2e.events_helpers import dm_containing
from tests.e2e.groups_helpers import (
    card,
    fields,
    partnership,
    repo,
    send_application,
    speak,
)


async def test_the_only_lead_cannot_remove_herself_and_a_leadless_group_goes_to_organisers(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    aino = community.members["aino"]
    group = await partnership(community, aino, "Hydrogen", name_fi="Vety")
    as_aino = community.as_member("aino")
    # Removing herself, or leaving, as the only lead is refused like /group lead remove.
    for command, options in (
        ("group member remove", {"member": aino}),
        ("group leave", {}),
        ("group lead remove", {"member": aino}),
    ):
        refused = await as_aino.slash(command, group=str(group.id), **options)
        assert refused.content == (
            "Ryhmä Vety tarvitsee vähintään yhden vetäjän: lisää ensin toinen vetäjä."
        ), (command, refused.content)
    sofia = community.as_member("sofia")
    refused = await sofia.slash("group member remove", group=str(group.id), member=aino)
    assert "Hydrogen needs at least one lead: add another lead first." in refused.content
    lead = await repo(community).membership(group.id, aino.user.id)
    assert lead is not None and lead.lead
    # With a second lead she may step back.
    olli = community.members["olli"]
    for command in ("group member add", "group lead add"):
        await as_aino.slash(command, group=str(group.id), member=olli)
    left = await as_aino.slash("group leave", group=str(group.id))
    assert left.content == "Erosit ryhmästä Vety.", left.content
    # The last lead leaves the server: the group has no lead, so an application goes to the
    # organisers in the admin log, and the applicant is told so.
    sb.member_leaves(olli)
    await sb.wait_until(lambda: fields(card(community, group)).get("Leads") == "—")
    assert not [m for m in await repo(community).members(group.id) if m.lead]
    sent = await send_application(community, "marco", group.id, motivation="We make electrolysers")
    assert "no lead at the moment: your application is sent to the organisers" in sent.content
    copy = await sb.wait_until(
        lambda: next((m for m in sb.messages(community.channels["admin-log"]) if m.embeds), None)
    )
    assert "Hydrogen has no lead" in copy.content and "/group lead add" in copy.content
    approved = await sofia.click(copy, "Approve")
    assert approved.kind == "update"
    await dm_containing(community, "marco", "was approved")
    assert await repo(community).membership(group.id, community.members["marco"].user.id)


async def test_every_copy_of_an_application_shows_its_outcome_in_its_own_language(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    await speak(community, "aino", "olli")  # both read Finnish; Sofia, an organiser, English
    aino, olli = community.members["aino"], community.members["olli"]
    group = await partnership(community, aino, "Hydrogen Valleys", name_fi="Vetylaaksot")
    for command in ("group member add", "group lead add"):
        await community.as_member("aino").slash(command, group=str(group.id), member=olli)

    def copies(lead: str, count: int) -> list[Message] | None:
        found = [m for m in sb.dms(community.members[lead]) if m.embeds]
        return found if len(found) >= count else None

    # Marco applies; Aino opens the decline form; Marco withdraws before she submits it.
    await send_application(community, "marco", group.id, motivation="We make electrolysers")
    [aino_copy] = await sb.wait_until(lambda: copies("aino", 1))
    [olli_copy] = await sb.wait_until(lambda: copies("olli", 1))
    declining = await community.as_member("aino").click(aino_copy, "Hylkää")
    assert declining.modal is not None
    await community.as_member("marco").slash("group withdraw", group=str(group.id))
    # Both leads' DMs lose their buttons and say the applicant withdrew, in Finnish.
    for copy in (aino_copy, olli_copy):
        shown = await sb.wait_until(
            lambda copy=copy: (m := sb.backend.messages[copy.id]).components == [] and m
        )
        assert fields(shown)["Päätös"] == "Hakija perui hakemuksen"
    late = await declining.submit_modal({"reason": "Too late"})
    told = (await late.wait_followup()).content
    assert told == "Tästä hakemuksesta on jo päätetty: Hakija perui hakemuksen.", told
    # Lena applies; Olli approves in his DM: Aino's copy shows it, without buttons.
    await send_application(community, "lena", group.id, motivation="Bavarian hydrogen")
    aino_copy = (await sb.wait_until(lambda: copies("aino", 2)))[-1]
    olli_copy = (await sb.wait_until(lambda: copies("olli", 2)))[-1]
    approved = await community.as_member("olli").click(olli_copy, "Hyväksy")
    assert approved.kind == "update"
    shown = await sb.wait_until(
        lambda: (m := sb.backend.messages[aino_copy.id]).components == [] and m
    )
    assert fields(shown)["Päätös"] == f"Hyväksyjä: <@{olli.user.id}>"
    await dm_containing(community, "lena", "was approved")


async def test_leads_and_organisers_list_pending_applications_and_decide_there(
    community: LocalCommunity,
) -> None:
    sb = community.sandbox
    aino = community.members["aino"]
    group = await partnership(community, aino, "Hydrogen", name_fi="Vety")
    empty = await community.as_member("sofia").slash("group applications", group=str(group.id))
    assert empty.content == "No applications to Hydrogen are waiting."
    for member, motivation in (("marco", "We make electrolysers"), ("lena", "Bavarian H2")):
        await send_application(community, member, group.id, motivation=motivation)
    outsider = await community.as_member("lena").slash("group applications", group=str(group.id))
    assert "Only" in outsider.content, outsider.content
    listed = await community.as_member("sofia").slash("group applications", group=str(group.id))
    marco, lena = community.members["marco"].user.id, community.members["lena"].user.id
    assert listed.content == (
        "Applications to Hydrogen waiting for a decision: 2\n"
        f"1. <@{marco}> — We make electrolysers\n"
        f"2. <@{lena}> — Bavarian H2"
    ), listed.content
    assert listed.message is not None
    approved = await community.as_member("sofia").click(listed.message, "Approve #1")
    assert approved.kind == "update"
    shown = sb.backend.messages[listed.message.id]
    assert shown.content == (
        f"Applications to Hydrogen waiting for a decision: 1\n1. <@{lena}> — Bavarian H2"
    ), shown.content
    await dm_containing(community, "marco", "was approved")
    # Aino's DM copy of Marco's application shows the decision instead of its buttons.
    copy = await sb.wait_until(
        lambda: next(
            (m for m in sb.dms(aino) if m.embeds and "electrolysers" in str(m.embeds)), None
        )
    )
    await sb.wait_until(lambda: sb.backend.messages[copy.id].components == [])
    finnish = await community.as_member("aino").slash("group applications", group=str(group.id))
    assert finnish.content.startswith("Ryhmän Vety hakemuksia odottaa päätöstä: 1"), finnish.content
