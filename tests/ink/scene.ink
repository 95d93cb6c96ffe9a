// "The Fourteen": an original scene, written for this repository's ink comparison
// (tests/ink/README.md). MIT OR Apache-2.0, like the rest of the repository.
// Convention: "Name: words" is spoken by Name; Theodore's own words are the choices he takes.

VAR warmth = 0
VAR truth = 0
VAR told_name = false
VAR asked = 0
VAR help = 0
VAR greeting = "Dear Sir,"
VAR news = 0
VAR closing = "Yours faithfully, I. Marchetti."

-> arrival

=== arrival ===
The office goes amber at four, as if the building is tired too.
A woman in a transit-authority raincoat stands at booth nine and counts the room.
Ida: Is this where you buy the letters?
Ida: My niece says you do the feelings. I do the stamps.
* Sit down, please. Tea?
    Ida: If it's hot. Lukewarm tea is a lie somebody tells you.
    ~ warmth += 1
* We write them. You bring the feelings.
    Ida: Cheeky. Good. I can't stand a man who agrees with me.
    ~ truth += 1
* [Stand too quickly and knock over the pen jar.]
    Forty pens roll toward her like ducklings.
    Ida: Well. Nobody's been that pleased to see me since March.
    ~ warmth += 1
    ~ truth += 1
- She sits with her handbag on her knees and both hands on the clasp.
Ida: Ida Marchetti. I drove the 14 for twenty-two years. Harbour to the hill, eleven times a day.
Ida: What does it cost, per word?
* We charge by the page.
    Ida: Then write small.
* [Tell her it's free for drivers.]
    It isn't free for drivers. It is now.
    Ida: Liar. {warmth > 1: Thank you.|Fine.}
    ~ warmth += 1
- -> ask

=== ask ===
{Theodore opens a fresh page and waits.|{&Ida checks the clock.|Ida lines up the pens she has rescued.|Ida taps the clasp of her bag, twice.}}
{asked > 2: Ida: {You ask a lot of questions for a man who's paid by the page.|Still asking.|Ask, then. I've got all afternoon.}}
* [Ask who the letter is for.]
    Ida: A passenger. Front seat on the left, seven-fifteen, every weekday.
    Ida: {truth > 0: Twenty-two years, and I never once said good morning first.|Twenty-two years. Long enough.}
    ~ asked += 1
    -> ask
* {asked > 0} [Ask what he used to say.]
    Ida: Every morning, getting on: 'Thank you, captain.'
    Ida: I'm not a captain. It's a bus. I told him so, the first year.
    Ida: After that I said 'Mind the step.' Twenty-one years of 'Mind the step.'
    ~ asked += 1
    ~ truth += 1
    -> ask
* [Ask why now.]
    Ida: He stopped getting on in March.
    {truth > 1:
        Ida: His granddaughter rides the 14 now. She says he's in Hillcrest, across the river.
        Ida: She says he asks the nurses every morning if the 14 is running on time.
        Ida: His name is Leonard. I've always known it. It was on his bus pass.
        ~ told_name = true
    - else:
        Ida: People stop. Routes change. That's all.
    }
    ~ asked += 1
    -> ask
+ {help < 3} [Touch the earpiece{help > 0: again}.]
    -> wren ->
    -> ask
* {asked > 1} [Uncap the good pen.]
    -> draft

=== wren ===
~ help += 1
Wren: {She's counting your words. Give her short ones.|She hasn't said his name. She keeps almost saying it.|I'm out of advice. That's a lie; I have four hundred pieces. None of them are hers.}
{told_name: Wren: Leonard. That's a good name to write at the top of something.}
+ [Thank her under your breath.]
    Wren: {!Any time. Literally any time. I don't sleep.|You're welcome.|Stop it, you'll make me useful.}
+ [Tell her to hush.]
    Wren: {&Hushing.|Hushed.|Hushing, but loudly.}
    ~ truth += 1
- ->->

=== draft ===
{help > 0: Wren: Good luck. I'll be quiet. I'll be so quiet.}
Ida watches the pen as if it owes her money.
-> opening

= opening
How does it begin?
* {told_name} Dear Leonard,
    ~ greeting = "Dear Leonard,"
    ~ warmth += 1
    Ida: Not 'My dear'. He'd think I'd had a stroke.
* To the gentleman in the front seat,
    ~ greeting = "To the gentleman in the front seat,"
    Ida: Ha. Yes. He'd know it was me.
* [Leave it to Ida.]
    Ida: Dear Sir. It's what you put.
- -> middle

= middle
Ida: And then what. Don't make me say things.
* Tell him the news of the route.
    ~ news = 1
    Ida: The new driver brakes like somebody insulted him. Put that in.
* {truth > 1} Tell him what she said after the doors shut.
    ~ news = 2
    ~ truth += 1
    Ida: After the doors shut. Every morning.
    Ida: 'You're welcome.' Out loud, to nobody. Twenty-one years.
* [Let the pen wait.]
    Ida: No news. He'd hate news.
- -> read_back ->
Ida: {warmth > 1: Hm. That's... that's nearly it.|It's a letter. I suppose.}
-> closing_line

= closing_line
How does she sign it?
* Yours, Ida.
    ~ closing = "Yours, Ida."
* {warmth > 1} Mind the step, Ida.
    ~ closing = "Mind the step. Ida."
    ~ warmth += 1
    Ida: That's cheating. Keep it.
* [Let her sign it herself.]
    She signs it like a cheque she resents.
- -> read_back ->
-> decide

=== read_back ===
Theodore reads it back in his letter voice{help > 1:, which Wren calls the cathedral}.
{greeting} <>
{
- news == 1: The 14 is on time, mostly. The new driver brakes like somebody insulted him. <>
- news == 2: You should know that every morning, after the doors shut, I said 'You're welcome.' <>
- else: I hope this finds you well. <>
}
{warmth > 2: Your seat has stayed empty since March. People would rather stand.|I am retired now.} <>
{closing}
->->

=== decide ===
Ida: {closing == "Yours, Ida.": Yours. Listen to me.|Well.}
{truth > 2:
    Ida: I never said good morning first. Not once. Isn't that stupid.
}
* [Offer to post it tonight.]
    -> sent
* Fold it and hand it to her.
    -> kept
* {told_name && truth > 2} Which bus goes to Hillcrest?
    -> goes

=== sent ===
Theodore addresses the envelope to {told_name: Leonard, at Hillcrest, across the river|the gentleman in the front seat, care of the bus depot}.
Ida: He'll get it Thursday. He'll read it on the bench and say 'Thank you, captain' to it.
Ida: {warmth > 2: And this once I'll let him.|I won't be there to correct him.}
She pays for one page, exactly, and leaves the change for the pen jar.
The 14 goes past the window, four minutes late. #ending: The Fourteen, On Time
-> END

=== kept ===
Ida puts the letter in her handbag, next to the bus pass she doesn't need any more.
Ida: I'll post it. I'll post it when it's right.
{truth > 1:
    Ida: That's what I said about 'good morning', isn't it.
}
She snaps the clasp shut. It sounds like a door. #ending: Mind the Step
-> END

=== goes ===
Ida stares at him. Then she laughs, short, like a bell on a bus.
Ida: The 31, then the 14 from the bridge. I know. I drew half that map.
Ida: I'll take the letter. I'll read it to him. He can't see the front seat from there.
{help > 0: Wren: Tell her to sit on the left.}
* Sit on the left.
    Ida: Where else would I sit.
* [Say nothing.]
    Ida: Don't look at me like that. It's a bus.
- She goes out into the amber street, already early. #ending: Across the River
-> END
