"""Regenerate the small DialogSum-style sample used by the lab.

Every dialogue and summary below was written from scratch for this project,
imitating the *style* of the DialogSum corpus (speaker tags ``#Person1#:`` /
``#Person2#:``, one turn per line, short third-person summaries).  No text is
taken from DialogSum or any other dataset.

Run from the repository root:

    python3 detoxlab/embedded/write_sample.py

The output is deterministic: train.csv, validation.csv and test.csv are
written next to this script with columns ``id,dialogue,summary,topic``.
"""

import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "dialogsum_sample")
FIELDS = ["id", "dialogue", "summary", "topic"]


def D(topic, summary, text):
    """Build one record.

    ``text`` holds one turn per line written as ``1: ...``, ``2: ...`` or
    ``3: ...``; the digit becomes the ``#PersonN#:`` speaker tag.
    """
    turns = []
    for line in text.strip("\n").split("\n"):
        line = line.strip()
        if not line:
            continue
        speaker, _, utterance = line.partition(": ")
        if speaker not in ("1", "2", "3"):
            raise ValueError("bad speaker tag in line: %r" % line)
        turns.append("#Person%s#: %s" % (speaker, utterance.strip()))
    return {"dialogue": "\n".join(turns), "summary": summary, "topic": topic}


# ---------------------------------------------------------------------------
# train split: 126 records.  Records 7, 38, 71 and 104 are deliberately short
# (<= 200 characters) and records 52 and 117 deliberately long (> 1000
# characters) so that a 200 < len <= 1000 length filter keeps exactly 120.
# ---------------------------------------------------------------------------
TRAIN = [
    # 0
    D("asking directions",
      "#Person1# asks #Person2# how to get to the city pharmacy. #Person2# explains it is two blocks away, past the bakery, opposite the bank.",
      """
1: Sorry to bother you, but is there a pharmacy near here?
2: Yes, the City Pharmacy is only two blocks away. Walk down Maple Street until you see a bakery with a red awning.
1: The bakery, got it. Then what?
2: Keep going past it and the pharmacy is on your right, just opposite the bank.
1: Is it open on Sundays?
2: I think it closes at six on Sundays, so you still have time.
1: Wonderful, thank you very much.
"""),
    # 1
    D("job interview",
      "#Person2# interviews #Person1# for a sales assistant position. #Person1# talks about three years of retail experience and flexibility to work weekends.",
      """
2: Good morning, Ms. Harper. Please have a seat. Could you tell me a little about yourself?
1: Good morning. I've worked in retail for about three years, most recently at a sports shop in Dover Street.
2: Why are you interested in becoming a sales assistant with us?
1: I enjoy helping customers find what they need, and your store has a great reputation for service.
2: Our busiest days are Saturdays and Sundays. Would that be a problem?
1: Not at all. I'm happy to work weekends.
2: Good. Do you have any questions for us?
1: Yes. Is there any training for new staff?
2: Everyone spends the first two weeks working next to an experienced colleague, and there's a short course about our products.
1: That sounds very helpful.
2: Thank you for coming in today, Ms. Harper. We'll contact you by Friday.
"""),
    # 2
    D("shopping",
      "#Person1# wants a warm winter coat. #Person2# shows a navy wool coat, #Person1# tries a medium and buys it with a ten percent discount.",
      """
1: Hi, I'm looking for a warm coat for the winter.
2: Sure. We have some new wool coats over here. Do you have a color in mind?
1: Something dark, maybe navy or black.
2: This navy one is very popular. What size do you usually wear?
1: Medium, I think.
2: Here you are. The fitting room is just behind you.
1: It fits nicely. How much is it?
2: It's one hundred and twenty dollars, but there's ten percent off this week.
1: Great, I'll take it.
"""),
    # 3
    D("doctor visit",
      "#Person1# has had a sore throat and a mild fever for three days. Dr. Patel examines #Person1#, suggests rest and plenty of fluids, and asks #Person1# to return if it gets worse.",
      """
2: Hello, what seems to be the problem today?
1: I've had a sore throat and a slight fever for about three days now.
2: Any coughing or trouble breathing?
1: A little cough, but nothing serious.
2: Let me take a look. Open your mouth and say "ah". Your throat is a bit red, but it looks like a common viral infection.
1: Do I need antibiotics?
2: No, antibiotics won't help with a virus. Get plenty of rest, drink lots of warm fluids, and take something for the fever if you need to.
1: How long will it last?
2: Usually about a week. If the fever goes above thirty-nine degrees or you feel worse, come back and see me.
1: Should I stay home from work?
2: Yes, at least for the next two or three days, until the fever is gone. You don't want to pass it on to your colleagues.
1: Thank you, Dr. Patel.
"""),
    # 4
    D("hotel booking",
      "#Person1# calls the Seaview Hotel to book a double room for three nights from June 12th. #Person2# confirms the booking at ninety euros a night including breakfast.",
      """
2: Good afternoon, Seaview Hotel. How may I help you?
1: Hello, I'd like to book a double room for three nights, from June 12th.
2: Let me check. Yes, we have a double room with a sea view available.
1: How much is it per night?
2: It's ninety euros a night, and breakfast is included.
1: That sounds fine. I'll take it.
2: May I have your name, please?
1: It's Daniel Moreau. M-O-R-E-A-U.
2: Thank you, Mr. Moreau. Your room is booked from the 12th to the 15th of June.
"""),
    # 5
    D("birthday party",
      "#Person1# and #Person2# plan a surprise birthday party for their friend Nina on Saturday. #Person2# will bake a lemon cake and #Person1# will invite the guests.",
      """
1: Nina's birthday is this Saturday. Shall we throw her a surprise party?
2: That's a lovely idea! Where should we have it?
1: My place is big enough. We could invite about fifteen people.
2: I can bake a cake. She loves lemon cake.
1: Perfect. I'll send the invitations tonight and ask everyone to arrive by seven.
2: How will we get Nina there without her suspecting anything?
1: I'll ask her to come over to help me choose a dress for a wedding.
2: Ha, she'll never guess. Let's do it.
"""),
    # 6
    D("restaurant order",
      "#Person1# orders grilled salmon with vegetables and a lemonade at a restaurant. #Person2# recommends the chocolate tart for dessert.",
      """
2: Good evening. Are you ready to order?
1: Yes, I'd like the grilled salmon, please.
2: Would you like rice or vegetables with that?
1: Vegetables, please.
2: And something to drink?
1: A glass of lemonade.
2: Certainly. Would you like to see the dessert menu later? The chocolate tart is excellent today.
1: That sounds tempting. Maybe after dinner.
"""),
    # 7 (short)
    D("thanking a friend",
      "#Person1# thanks #Person2# for helping with the move.",
      """
1: Thanks so much for helping me move yesterday.
2: No problem at all. It was fun.
1: Dinner is on me next week.
"""),
    # 8
    D("bank account",
      "#Person1# wants to open a savings account. #Person2# asks for an ID and proof of address and explains there is no monthly fee with a minimum deposit of fifty dollars.",
      """
1: Good morning. I'd like to open a savings account.
2: Of course. Do you have a form of identification with you?
1: Yes, here's my passport.
2: Thank you. I'll also need a proof of address, such as a utility bill.
1: I brought my electricity bill. Is there a monthly fee?
2: No, there's no monthly fee as long as you make a first deposit of at least fifty dollars.
1: That's fine. I'll deposit two hundred today.
2: Great. Please fill in this form and sign at the bottom.
"""),
    # 9
    D("apartment rental",
      "#Person1# calls about a one-bedroom apartment on Elm Road. #Person2# says the rent is eight hundred and fifty dollars a month, utilities not included, and they arrange a viewing for Thursday at five.",
      """
1: Hello, I'm calling about the one-bedroom apartment on Elm Road. Is it still available?
2: Yes, it is. Would you like to know more about it?
1: Please. How much is the rent?
2: It's eight hundred and fifty dollars a month.
1: Does that include utilities?
2: No, water and electricity are extra, but the internet is included.
1: Is it close to a bus stop?
2: Yes, there's one right at the corner, and the subway is a ten-minute walk.
1: Could I come and see it?
2: How about Thursday at five?
1: Thursday at five works for me. Thank you.
"""),
    # 10
    D("car repair",
      "#Person1# brings the car to #Person2#'s garage because of a strange noise when braking. #Person2# finds the brake pads are worn out and will replace them by tomorrow afternoon.",
      """
1: Hi, my car makes a strange squeaking noise whenever I brake.
2: Let me take a look. When did it start?
1: About a week ago. It's getting louder.
2: I see. Your front brake pads are almost completely worn out.
1: Is that dangerous?
2: It could be if you leave it. We should replace them as soon as possible.
1: How long will it take?
2: We'll have it ready by tomorrow afternoon. It'll be around one hundred and forty dollars, parts and labor.
1: All right, please go ahead.
"""),
    # 11
    D("weather chat",
      "#Person1# and #Person2# talk about the heavy rain this week. #Person2# heard it will be sunny on the weekend, so they plan to go cycling.",
      """
1: What terrible weather! It's rained every day this week.
2: I know. My shoes haven't been dry since Monday.
1: Have you heard the forecast for the weekend?
2: Yes, it's supposed to be sunny and warm on Saturday and Sunday.
1: Finally! Shall we go cycling along the river then?
2: Good idea. Let's meet at the bridge at ten on Saturday.
"""),
    # 12
    D("travel plans",
      "#Person1# tells #Person2# about a two-week trip to Portugal in September, visiting Lisbon and Porto. #Person2# recommends trying the custard tarts and taking the train between the cities.",
      """
2: Are you going anywhere this summer?
1: Actually, I'm going to Portugal in September for two weeks.
2: How exciting! Where will you go?
1: I'll spend a week in Lisbon and then take a few days in Porto.
2: I was in Lisbon last year. You must try the custard tarts there.
1: I've heard about them. How did you travel between cities?
2: I took the train. It's fast and comfortable, and the views along the coast are lovely.
1: That's useful to know. I was thinking of renting a car.
2: The train is much easier. Parking in Lisbon is really difficult.
1: Good point. Where did you stay in Lisbon?
2: In a small guesthouse in the old part of the city, near the castle. The streets are steep, so bring comfortable shoes.
"""),
    # 13
    D("airport check-in",
      "#Person1# checks in for a flight to Toronto. #Person2# checks the passport, tags one suitcase, gives #Person1# a window seat and says boarding starts at gate 23 at 10:40.",
      """
2: Good morning. Where are you flying today?
1: To Toronto.
2: May I see your passport and ticket, please?
1: Here you are.
2: Thank you. How many bags are you checking in?
1: Just this one suitcase.
2: Please put it on the scale. Would you prefer a window or an aisle seat?
1: A window seat, please.
2: Here's your boarding pass. Boarding starts at 10:40 at gate 23.
1: Thank you very much.
"""),
    # 14
    D("library",
      "#Person1# wants to borrow books but doesn't have a library card. #Person2# helps #Person1# register and explains books can be kept for three weeks.",
      """
1: Excuse me, I'd like to borrow these two books, but I don't have a library card.
2: No problem, I can make one for you now. Do you live in the city?
1: Yes, I just moved to Green Street.
2: Please fill in this form with your name and address.
1: Done. How long can I keep the books?
2: Three weeks. You can renew them online if you need more time.
1: And if I return them late?
2: There's a small fine of twenty cents per day.
1: I'll try to bring them back on time. Thanks!
"""),
    # 15
    D("school homework",
      "#Person1# asks #Person2# for help with a math problem about fractions. #Person2# explains how to find a common denominator.",
      """
1: Dad, can you help me with my math homework?
2: Sure. What's the problem?
1: I have to add one third and one quarter, and I don't know how.
2: First, you need a common denominator. What number can be divided by both three and four?
1: Twelve?
2: Exactly. So one third becomes four twelfths, and one quarter becomes three twelfths.
1: So the answer is seven twelfths!
2: Well done. See, it's not so hard.
"""),
    # 16
    D("exam preparation",
      "#Person1# and #Person2# worry about their chemistry exam next Tuesday. They decide to study together in the library every afternoon and quiz each other.",
      """
1: Are you ready for the chemistry exam next Tuesday?
2: Not at all. I still don't understand the chapter on chemical bonds.
1: Me neither. Why don't we study together?
2: Good idea. Where should we meet?
1: The library is quiet in the afternoons. How about from two to five every day this week?
2: That works for me. We could make flash cards and quiz each other.
1: Great. I'll bring my notes from the lectures.
2: And I'll bring the practice tests from last year.
"""),
    # 17
    D("gym membership",
      "#Person1# asks about gym memberships. #Person2# explains the monthly plan costs thirty-five dollars and includes classes, and offers a free trial week.",
      """
1: Hi, I'm interested in joining the gym. What kinds of memberships do you offer?
2: We have a monthly plan and a yearly plan. The monthly one is thirty-five dollars.
1: And the yearly one?
2: It's three hundred and sixty dollars, so you save about sixty dollars.
1: Are the group classes included?
2: Yes, all classes are included, like yoga, spinning and boxing.
1: I'm not sure I'll come often enough.
2: Why don't you try a free trial week first?
1: That sounds perfect. Can I start today?
2: Of course. I'll just need your name and a phone number.
"""),
    # 18
    D("cooking",
      "#Person2# teaches #Person1# how to make a simple tomato pasta sauce with garlic, olive oil, canned tomatoes and basil.",
      """
1: Your pasta sauce is delicious. How do you make it?
2: It's really easy. First, heat some olive oil and fry two cloves of chopped garlic.
1: Just two cloves?
2: Yes, don't let it burn. Then add a can of chopped tomatoes and a pinch of salt.
1: How long do you cook it?
2: About twenty minutes on low heat. At the end, tear in some fresh basil leaves.
1: That's all? I thought it would be much more complicated.
2: Good ingredients do most of the work.
"""),
    # 19
    D("moving house",
      "#Person1# is moving to a new flat next weekend. #Person2# offers to help pack and lend a van, and #Person1# promises to buy pizza for everyone.",
      """
2: You look tired. What's going on?
1: I'm moving to a new flat next weekend and I haven't packed anything yet.
2: Oh no. Do you need some help?
1: I'd love some. I have so many books and kitchen things.
2: I can come over on Thursday evening to help you pack. And my brother has a van you could borrow.
1: Really? That would save me so much money.
2: No problem. Just tell me what time you need it on Saturday.
1: Around nine in the morning. And I'll buy pizza for everyone who helps.
2: Now that's a deal.
"""),
    # 20
    D("phone repair",
      "#Person1#'s phone screen is cracked. #Person2# says a replacement costs seventy-five dollars and takes about an hour.",
      """
1: Hello, I dropped my phone and the screen cracked. Can you fix it?
2: Let me see. Yes, we can replace the screen.
1: How much will that cost?
2: For this model, seventy-five dollars.
1: How long does it take?
2: About an hour. You can wait here or come back later.
1: I'll go get a coffee and come back. Thank you.
"""),
    # 21
    D("lost wallet",
      "#Person1# reports a lost wallet at a train station. #Person2# finds a brown leather wallet in the lost and found that matches, and asks #Person1# to confirm what is inside.",
      """
1: Excuse me, I think I left my wallet on the train this morning.
2: Which train were you on?
1: The 8:15 from Riverside.
2: What does the wallet look like?
1: It's brown leather, quite small, with a zip.
2: Let me check the lost and found. We have a brown wallet that was handed in an hour ago. Can you tell me what's inside?
1: My driver's license, a bank card and a photo of my dog.
2: Then it must be yours. Here you are.
1: Oh, thank goodness! Thank you so much.
"""),
    # 22
    D("weekend plans",
      "#Person1# asks #Person2# about weekend plans. #Person2# will visit grandparents on Saturday, and they agree to watch a movie on Sunday afternoon.",
      """
1: Do you have any plans for the weekend?
2: I'm visiting my grandparents on Saturday. They live in a small village about an hour away.
1: That sounds nice. What about Sunday?
2: Nothing yet. Why?
1: There's a new animated film at the cinema. Would you like to see it?
2: Sure! Is there an afternoon show?
1: There's one at three o'clock.
2: Perfect. Let's meet at the cinema at a quarter to three.
"""),
    # 23
    D("concert tickets",
      "#Person1# tries to buy two tickets for a jazz concert on Friday. #Person2# says the front seats are sold out, so #Person1# buys two balcony seats at forty dollars each.",
      """
1: Hi, I'd like two tickets for the jazz concert on Friday night.
2: Let me see what's left. I'm afraid the seats near the front are sold out.
1: What do you still have?
2: There are some seats in the balcony. They're forty dollars each.
1: Can you see the stage well from there?
2: Yes, the view is actually very good, and the sound is great up there.
1: Then I'll take two balcony seats, please.
2: That's eighty dollars in total. Cash or card?
1: Card, please.
"""),
    # 24
    D("pet care",
      "#Person1# asks #Person2# to look after the cat Milo while #Person1# is away for four days. #Person2# agrees, and #Person1# explains the feeding routine.",
      """
1: I'm going away for four days next week. Could you look after Milo for me?
2: Of course! I love your cat. What do I need to do?
1: Just feed him twice a day, in the morning and evening. His food is in the cupboard by the fridge.
2: How much should I give him?
1: Half a cup each time. And please make sure his water bowl is always full.
2: Does he need to go outside?
1: No, he's an indoor cat. Just play with him for a bit if you have time. He gets lonely.
2: No problem. I'll come by after work every day.
1: Thank you. I'll leave the key with you on Sunday.
"""),
    # 25
    D("gardening",
      "#Person1# asks #Person2# why the tomato plants are turning yellow. #Person2# suggests watering less often and adding some fertilizer.",
      """
1: Your garden looks amazing. Mine isn't doing so well this year.
2: Oh, what's wrong?
1: The leaves on my tomato plants are turning yellow.
2: How often do you water them?
1: Every day, sometimes twice when it's hot.
2: That might be too much. Tomatoes like deep watering, but only every two or three days.
1: I had no idea. Anything else?
2: Try adding some fertilizer too. I can give you some if you like.
1: That's very kind of you. Thanks for the advice.
"""),
    # 26
    D("dentist appointment",
      "#Person1# calls the dental clinic because of a toothache. #Person2# offers an appointment tomorrow at 9:30 with Dr. Liu.",
      """
2: Bright Smile Dental Clinic, how can I help you?
1: Hi, I have a bad toothache and I'd like to see a dentist as soon as possible.
2: I'm sorry to hear that. Are you a patient here?
1: Yes, my name is Oliver Grant.
2: Thank you, Mr. Grant. Dr. Liu has a free slot tomorrow at 9:30. Would that suit you?
1: Yes, that's great.
2: Please arrive ten minutes early. If the pain gets worse tonight, you can take a painkiller.
1: I will. Thank you.
"""),
    # 27
    D("haircut",
      "#Person1# wants a shorter haircut for summer. #Person2# suggests a layered cut, and #Person1# agrees but wants to keep the fringe.",
      """
2: Hi there, what are we doing today?
1: I'd like something shorter for the summer. It's so hot with long hair.
2: How short are you thinking?
1: Maybe just above the shoulders.
2: A layered cut would look great and keep it light. What about your fringe?
1: I'd like to keep the fringe, just trim it a little.
2: Sure. Let's wash your hair first.
"""),
    # 28
    D("post office",
      "#Person1# wants to send a package to Australia. #Person2# weighs it and offers standard or express shipping, and #Person1# chooses standard for twenty-two dollars.",
      """
1: Hello, I'd like to send this package to Australia.
2: Let me weigh it. It's 1.5 kilograms. Do you want standard or express?
1: What's the difference?
2: Standard takes about two weeks and costs twenty-two dollars. Express takes five days and costs forty-eight.
1: Standard is fine. It's a birthday present, but the birthday isn't until next month.
2: Please fill in this customs form and list what's inside.
1: It's a sweater and a book.
2: Thank you. Here's your receipt with the tracking number.
"""),
    # 29
    D("train tickets",
      "#Person1# buys a return ticket to Oxford for Saturday. #Person2# suggests an off-peak ticket, which is cheaper, and tells #Person1# the train leaves from platform four.",
      """
1: I'd like a return ticket to Oxford for Saturday, please.
2: What time are you traveling?
1: I'd like to leave around ten and come back in the evening.
2: Then you can buy an off-peak return. It's cheaper than an anytime ticket.
1: How much is it?
2: Twenty-eight pounds fifty.
1: Great. Which platform does the train leave from?
2: Usually platform four, but please check the board on the day.
"""),
    # 30
    D("taxi ride",
      "#Person1# takes a taxi to the Central Museum. #Person2# says it will take about twenty minutes because of traffic and recommends the museum's rooftop café.",
      """
1: Good afternoon. Could you take me to the Central Museum, please?
2: Sure. Hop in. Are you visiting the city?
1: Yes, I'm here for a few days on holiday.
2: How nice. The traffic is a bit heavy today, so it'll take about twenty minutes.
1: That's fine, I'm not in a hurry.
2: If you get hungry, the museum has a lovely café on the roof. The view of the old town is wonderful.
1: Thanks for the tip. I'll definitely try it.
"""),
    # 31
    D("coffee shop",
      "#Person1# orders a large latte with oat milk and a blueberry muffin. #Person2# tells #Person1# the total is seven dollars twenty.",
      """
2: Hi, what can I get you?
1: A large latte, please. Do you have oat milk?
2: Yes, we do. Anything else?
1: One of those blueberry muffins, please.
2: That's seven dollars twenty.
1: Here you go. Thanks!
"""),
    # 32
    D("clothes return",
      "#Person1# wants to return a pair of shoes that are too small. #Person2# checks the receipt and offers an exchange, but since the larger size is out of stock, #Person1# gets a refund.",
      """
1: Hi, I bought these shoes last week, but they're too small. Can I return them?
2: Of course. Do you have the receipt?
1: Yes, here it is.
2: Thank you. Would you like to exchange them for a bigger size?
1: Yes, I'd like a size forty-two.
2: I'm sorry, we don't have that size in stock at the moment.
1: In that case, could I just get my money back?
2: Certainly. I'll refund the amount to your card.
"""),
    # 33
    D("wedding plans",
      "#Person1# and #Person2# are planning their wedding for next May. They discuss the guest list and agree to hold the reception in a garden restaurant by the lake.",
      """
1: We really need to decide on the place for the wedding.
2: I know. I liked the garden restaurant by the lake the most.
1: Me too. But it only holds eighty people. Our guest list has almost a hundred.
2: Maybe we can cut it down a little. Do we really need to invite all of my cousins?
1: Ha! That's up to you.
2: Let's go through the list tonight and see who we can leave out.
1: Okay. If we get it to eighty, I'll call the restaurant tomorrow and book it for May.
2: Perfect. I can't believe it's really happening.
1: Me neither. We should also think about the music.
2: My friend Lucas plays in a band. Maybe they could play in the evening.
2: I'll ask him this weekend. And what about the cake?
1: Let's visit a few bakeries next month and try some samples.
2: Now that's the part of wedding planning I'm looking forward to.
"""),
    # 34
    D("job offer",
      "#Person2# calls #Person1# to offer a position as a junior designer. #Person1# happily accepts and agrees to start on the first of March.",
      """
2: Hello, is this Maria Lopez?
1: Yes, speaking.
2: This is Tom from Blue Pine Studio. I'm calling about the junior designer position.
1: Oh, hello!
2: We were very impressed with your interview, and we'd like to offer you the job.
1: That's wonderful news! Thank you so much.
2: Would you be able to start on the first of March?
1: Yes, that works perfectly.
2: Great. I'll send you the contract by email today.
"""),
    # 35
    D("office meeting",
      "#Person1# and #Person2# prepare for the Monday team meeting. #Person2# will present the sales figures and #Person1# will book the conference room and order coffee.",
      """
1: Are you ready for Monday's team meeting?
2: Almost. I'm still working on the slides with the sales figures.
1: How do the numbers look?
2: Pretty good, actually. Sales are up about eight percent from last quarter.
1: That's great news. I'll book the big conference room for nine o'clock.
2: Could you also order some coffee? Everyone's sleepy on Monday mornings.
1: Ha, good point. I'll take care of it.
"""),
    # 36
    D("project deadline",
      "#Person1# asks the manager #Person2# for an extra two days on the report because the data came late. #Person2# agrees to move the deadline to Wednesday.",
      """
1: Do you have a minute? It's about the market report.
2: Sure. How's it going?
1: I'm afraid I need a little more time. The survey data only arrived yesterday.
2: I see. How much more time do you need?
1: Two extra days should be enough. Could I hand it in on Wednesday instead of Monday?
2: That's fine, as long as the data is checked carefully.
1: Of course. Thank you for understanding.
"""),
    # 37
    D("computer problem",
      "#Person1# complains the laptop is very slow. #Person2# suggests closing programs running in the background and restarting, which helps.",
      """
1: My laptop is so slow today. I can hardly open my emails.
2: When did you last restart it?
1: Um, maybe two weeks ago?
2: That might be the problem. Let's check what's running. Look, you have about twenty programs open in the background.
1: I didn't even know that.
2: Let's close the ones you don't need and restart the computer.
1: Wow, it's much faster now. Thanks!
2: Try to restart it at least once a week.
"""),
    # 38 (short)
    D("greeting",
      "#Person1# and #Person2# greet each other in the morning.",
      """
1: Good morning, Mrs. Green!
2: Good morning, Leo. Lovely day, isn't it?
1: It really is.
"""),
    # 39
    D("internet service",
      "#Person1# calls the internet company because the connection keeps dropping. #Person2# runs a test and arranges for a technician to visit on Friday morning.",
      """
2: Thank you for calling FastNet. How can I help?
1: Hi. My internet connection keeps dropping several times a day.
2: I'm sorry about that. Could you give me your account number?
1: Sure, it's 4-4-7-2-9-1.
2: Thank you. I'm running a test on your line now. It looks like there's a problem with the signal.
1: Can you fix it from there?
2: Unfortunately not. We'll need to send a technician. Is Friday morning convenient?
1: Yes, I'll be home all morning.
2: Great. The technician will arrive between eight and twelve.
"""),
    # 40
    D("neighbors",
      "#Person1# introduces themselves to the new neighbor #Person2# and brings cookies. #Person1# offers to show #Person2# the nearby park and shops.",
      """
1: Hi! I'm Emma from next door. I just wanted to welcome you to the neighborhood.
2: Oh, how kind! I'm Raj. We moved in on Tuesday.
1: I brought you some homemade cookies.
2: Thank you, they smell delicious.
1: If you need anything, just knock. And if you like, I can show you around. There's a nice park and a good market nearby.
2: That would be great. We don't know the area at all yet.
1: How about Saturday morning?
2: Sounds perfect.
"""),
    # 41
    D("volunteering",
      "#Person1# wants to volunteer at the animal shelter. #Person2# explains volunteers walk the dogs and clean the cages, and asks #Person1# to come to an orientation on Sunday.",
      """
1: Hello, I saw your poster. I'd like to volunteer at the shelter.
2: Wonderful! We always need help. Do you have experience with animals?
1: I grew up with two dogs and a cat.
2: Great. Most of our volunteers walk the dogs and help clean the cages.
1: How many hours would I need to give?
2: We ask for at least three hours a week, but you can choose the day.
1: That's fine. What's the next step?
2: Come to our orientation session this Sunday at eleven. We'll show you everything.
1: I'll be there. Thank you!
"""),
    # 42
    D("football match",
      "#Person1# and #Person2# talk about last night's football match, which their team won two to one with a late goal. They plan to watch the next match together at a café.",
      """
1: Did you see the match last night?
2: Of course! What a finish!
1: I can't believe Diaz scored in the ninetieth minute.
2: I was sure it would end in a draw. Two to one, what a relief.
1: Their goalkeeper was amazing, though. He saved at least five shots.
2: True. When's the next match?
1: Next Wednesday, against the team from the north.
2: Let's watch it together at the café on the corner. They have a big screen.
1: Deal. I'll save us a table.
"""),
    # 43
    D("museum visit",
      "#Person1# asks #Person2# about tickets at the museum. #Person2# says students pay eight dollars and recommends the new Egyptian exhibition on the second floor.",
      """
1: Hello, how much is a ticket?
2: Adults are fifteen dollars, and students are eight.
1: I'm a student. Here's my card.
2: Thank you. Have you been here before?
1: No, it's my first time.
2: Then don't miss our new Egyptian exhibition on the second floor. It's very popular.
1: How long does it take to see everything?
2: About three hours if you want to see it all. There's a map in this leaflet.
1: Great, thank you.
"""),
    # 44
    D("camping trip",
      "#Person1# and #Person2# prepare for a weekend camping trip in the mountains. #Person2# checks the packing list and realizes they forgot the flashlight.",
      """
1: Okay, let's go through the list for the camping trip. Tent?
2: Packed.
1: Sleeping bags?
2: Both in the car.
1: Stove and gas?
2: Yes, and enough food for two days.
1: Flashlight?
2: Oh no, I forgot the flashlight. It's still in the garage.
1: Good thing we checked! It gets really dark up in the mountains.
2: I'll get it now. Anything else?
1: Rain jackets. The forecast says it might rain on Sunday.
2: Got them. I think we're ready.
"""),
    # 45
    D("language learning",
      "#Person1# is learning Spanish and finds speaking difficult. #Person2# suggests joining a conversation group that meets on Tuesday evenings.",
      """
1: I've been learning Spanish for a year, but I still can't speak well.
2: How do you study?
1: Mostly with an app and a grammar book.
2: That's good for vocabulary, but you need to practice speaking with people.
1: I don't know any Spanish speakers, though.
2: There's a conversation group at the community center every Tuesday evening. I went there when I learned Italian.
1: Is it free?
2: Yes, and everyone is very friendly. Don't worry about making mistakes.
1: I'll give it a try next Tuesday.
"""),
    # 46
    D("music lessons",
      "#Person1# asks #Person2# about piano lessons for a ten-year-old daughter. #Person2# offers weekly thirty-minute lessons for twenty-five dollars and a free first lesson.",
      """
1: Hello, I'm looking for a piano teacher for my daughter.
2: How old is she?
1: She's ten. She's never played before.
2: That's a great age to start. I give thirty-minute lessons once a week for beginners.
1: How much do you charge?
2: Twenty-five dollars per lesson. The first lesson is free, so she can see if she likes it.
1: That's nice. Does she need a piano at home?
2: A small keyboard is fine at the beginning.
1: Great. Could we start next Monday?
2: Monday at four o'clock is free. See you then.
"""),
    # 47
    D("book club",
      "#Person1# invites #Person2# to join a book club that meets once a month. This month they are reading a mystery novel, and #Person2# agrees to come.",
      """
1: Do you still read a lot?
2: Whenever I can. Why?
1: I'm in a book club. We meet at a café on the first Thursday of every month. Would you like to join?
2: That sounds fun. What are you reading now?
1: A mystery novel set in an old hotel in Scotland. It's really exciting.
2: I love mysteries. How many people are in the club?
1: About eight. Everyone is very friendly.
2: Count me in. I'll buy the book tomorrow.
"""),
    # 48
    D("farewell party",
      "#Person1# and #Person2# organize a farewell party for their colleague Anna, who is moving to Berlin. They decide on Friday afternoon and collect money for a gift.",
      """
1: Did you hear Anna is moving to Berlin next month?
2: Yes, I'm so sad she's leaving. We should have a farewell party for her.
1: Definitely. How about Friday afternoon in the office kitchen?
2: Good idea. Should we get her a present?
1: Let's collect money from the team. Maybe ten dollars each.
2: What could we buy her?
1: She loves photography. A nice photo album or a travel guide to Berlin?
2: Both! I'll start collecting the money today.
"""),
    # 49
    D("new baby",
      "#Person1# congratulates #Person2# on the birth of a baby girl named Lily. #Person2# says mother and baby are healthy but the parents are very tired.",
      """
1: Congratulations! I heard the baby was born!
2: Thank you! Yes, a little girl on Tuesday morning.
1: How wonderful! What's her name?
2: Lily. She weighed three point two kilos.
1: How are she and her mom doing?
2: They're both healthy and happy. We're just very tired. She wakes up every two hours.
1: That's normal at the beginning. Let me know if you need anything, like cooking or shopping.
2: That's really kind of you. Thanks.
"""),
    # 50
    D("graduation",
      "#Person1# tells #Person2# about graduating from university next week. #Person2# congratulates #Person1# and asks about plans; #Person1# will start a master's degree in engineering.",
      """
2: So, is it true you're finally graduating?
1: Yes! The ceremony is next Thursday.
2: Congratulations! Is your family coming?
1: My parents and my grandmother are flying in on Wednesday.
2: That's lovely. What will you do after graduation?
1: I've been accepted to a master's program in civil engineering.
2: Wow, more studying! Where?
1: Here at the same university, so I don't have to move.
2: That's convenient. I'm really proud of you.
"""),
    # 51
    D("university application",
      "#Person1# asks #Person2#, a teacher, for a recommendation letter for a university application. #Person2# agrees and asks for the deadline and a list of #Person1#'s activities.",
      """
1: Mr. Evans, could I ask you a favor?
2: Of course, Sophie. What is it?
1: I'm applying to study biology at university. Would you write a recommendation letter for me?
2: I'd be happy to. When is the deadline?
1: January fifteenth.
2: That gives us enough time. Could you give me a list of your activities and achievements, so I can mention them?
1: Sure, I'll bring it tomorrow. I helped run the science club and volunteered at the hospital.
2: Excellent. That will make a strong letter.
"""),
    # 52 (long)
    D("travel agency",
      "#Person1# visits a travel agency to plan a family holiday in August. #Person2# suggests a week on the Greek island of Crete in a family hotel with a pool, and explains flights, prices and extra activities. #Person1# books the package for two adults and two children.",
      """
2: Good morning, welcome to Sunshine Travel. How can I help you?
1: Good morning. My family and I want to go on holiday in August, somewhere warm by the sea.
2: Lovely. How many people are traveling?
1: Two adults and two children. The kids are seven and eleven.
2: Have you thought about Greece? Crete is wonderful for families.
1: We've never been to Greece. What would you recommend there?
2: There's a family hotel near Chania with a big pool, a kids' club and a sandy beach just across the road.
1: That sounds perfect. How long would we stay?
2: Most families book seven nights. The package includes flights, the hotel with breakfast and dinner, and airport transfers.
1: How much would that cost for all of us?
2: For the second week of August, it's three thousand four hundred euros in total.
1: That's a bit more than we planned, but it includes a lot. Are there any trips we could do there?
2: Yes, you can take a boat trip to a small island, visit the old palace at Knossos, or go on a jeep safari in the mountains.
1: My son would love the jeep safari. Do we book those now?
2: You can book them at the hotel, so you can decide once you're there.
1: Great. And how long is the flight?
2: About three and a half hours from here, with a morning departure at eight.
1: All right, let's book it.
2: Wonderful. I'll just need the passport details for all four of you.
"""),
    # 53
    D("scholarship",
      "#Person1# tells #Person2# about winning a scholarship that covers half of the tuition. #Person2# congratulates #Person1# and they plan to celebrate.",
      """
1: Guess what? I got the scholarship!
2: No way! The one from the engineering department?
1: Yes! It covers half of my tuition for the next two years.
2: That's amazing! You worked so hard on that application.
1: I still can't believe it. I had to write three essays.
2: We have to celebrate. Let's have dinner at that Thai place tonight.
1: Great idea, but I'm paying.
"""),
    # 54
    D("bus schedule",
      "#Person1# asks #Person2# at the bus stop which bus goes to the airport. #Person2# says the number 14 runs every twenty minutes and takes about forty minutes.",
      """
1: Excuse me, do you know which bus goes to the airport?
2: Yes, the number 14. It stops right here.
1: How often does it come?
2: Every twenty minutes during the day. The next one should be here in about five minutes.
1: How long does the trip take?
2: Around forty minutes, depending on traffic.
1: Can I buy a ticket on the bus?
2: Yes, but you need exact change. It's two fifty.
1: Thank you, that's very helpful.
"""),
    # 55
    D("parking",
      "#Person1# asks #Person2# where to park near the shopping center. #Person2# tells #Person1# street parking is for one hour only and recommends the underground garage.",
      """
1: Excuse me, can I park here for the afternoon?
2: I'm afraid street parking is only for one hour here.
1: Oh, I didn't see the sign. Is there somewhere else nearby?
2: There's an underground garage under the shopping center, just around the corner.
1: Is it expensive?
2: Two dollars an hour, and it's free on Sundays.
1: Thanks, I'll move my car there.
"""),
    # 56
    D("driving lessons",
      "#Person1# is taking driving lessons and is nervous about the test next month. #Person2# offers to practice parking with #Person1# in an empty parking lot on Sunday mornings.",
      """
2: How are your driving lessons going?
1: Pretty well, but my test is next month and I'm so nervous.
2: What's the hardest part for you?
1: Parking. I always end up too far from the curb.
2: I could practice with you. The supermarket parking lot is empty on Sunday mornings.
1: Would you really do that?
2: Sure. We can use my car. It's small and easy to park.
1: Thank you! I'll buy you breakfast afterwards.
"""),
    # 57
    D("insurance claim",
      "#Person1# calls the insurance company after a storm damaged the roof. #Person2# opens a claim and arranges for an inspector to visit on Monday.",
      """
2: Good morning, HomeSafe Insurance. How can I help you?
1: Hello. Last night's storm blew some tiles off my roof, and now water is leaking into the bedroom.
2: I'm sorry to hear that. Is everyone safe?
1: Yes, we're fine, just worried about the damage.
2: I'll open a claim for you. Could I have your policy number?
1: It's H-G-5-5-8-3-0.
2: Thank you. An inspector can visit on Monday to look at the damage. In the meantime, please take photos and cover the hole if you can do it safely.
1: All right. Will the repairs be covered?
2: Storm damage is included in your policy, so most of the cost should be covered.
1: That's a relief. Could I choose my own builder for the repairs?
2: Yes, you can. Just send us two price quotes, and the inspector will check them.
1: Great. Thank you.
"""),
    # 58
    D("recycling",
      "#Person1# asks #Person2# about the new recycling rules. #Person2# explains paper goes in the blue bin, plastic and cans in the yellow bin, and glass must be taken to the container on the corner.",
      """
1: Do you understand the new recycling rules? I'm a bit confused.
2: I think so. Paper and cardboard go in the blue bin.
1: And plastic?
2: Plastic bottles and cans go in the yellow bin.
1: What about glass?
2: Glass doesn't go in any bin. You have to take it to the big container on the corner.
1: And when are the bins collected?
2: The blue one on Mondays and the yellow one on Thursdays.
1: Thanks, that's much clearer now.
"""),
    # 59
    D("photography",
      "#Person1# shows #Person2# photos from a trip to the mountains. #Person2# admires them and asks about the camera; #Person1# explains most were taken early in the morning for the soft light.",
      """
1: Want to see my photos from the mountains?
2: Sure! Oh, these are beautiful. Is this a lake?
1: Yes, Lake Silva. I got up at five to take that one.
2: At five? That's dedication.
1: The light early in the morning is so soft. It makes everything look calm.
2: What camera do you use?
1: Just an old secondhand camera I bought for two hundred dollars. The lens matters more than the camera.
2: I'd love to learn. Could you teach me some basics?
1: Of course. Let's go for a photo walk in the park next weekend.
"""),
    # 60
    D("furniture shopping",
      "#Person1# and #Person2# shop for a new sofa. They like a grey three-seater, and #Person2# checks that it fits the living room before they order it with free delivery.",
      """
1: What do you think of this grey sofa?
2: It's really comfortable. And the color would go well with our carpet.
1: It's a three-seater. Will it fit in the living room?
2: I measured the wall before we left. We have two meters and twenty centimeters.
1: The label says it's two meters ten.
2: Then it fits, just barely.
1: Is delivery included?
2: The sign says free delivery for orders over five hundred dollars, and this one is six hundred and fifty.
1: Great. Let's order it.
"""),
    # 61
    D("painting the house",
      "#Person1# and #Person2# discuss painting the kitchen. #Person1# prefers light yellow, #Person2# prefers pale green, and they decide to try small samples of both.",
      """
1: I think it's time to paint the kitchen. The walls look so old.
2: I agree. What color were you thinking of?
1: Light yellow. It would make the room feel sunny.
2: Hmm, I was thinking of pale green. It's calm and fresh.
1: Both could be nice. How do we decide?
2: Why don't we buy small sample pots and paint a square of each on the wall?
1: Good idea. Then we can see them in the morning and evening light.
2: Let's go to the hardware store this afternoon.
"""),
    # 62
    D("bike repair",
      "#Person1#'s bicycle has a flat tire. #Person2# offers to show #Person1# how to fix it with a repair kit instead of going to a shop.",
      """
1: Oh no, my back tire is flat again.
2: Do you have a repair kit?
1: I have one, but I've never used it. I was going to take the bike to the shop.
2: It's easy, I can show you. First, we take the wheel off and remove the tube.
1: Then what?
2: We pump a little air in and listen for the hole. Then you clean the spot, put on some glue and a patch.
1: That doesn't sound too difficult.
2: It takes about fifteen minutes. After that you'll never need the shop for a flat tire again.
"""),
    # 63
    D("hiking",
      "#Person1# invites #Person2# to hike up Eagle Hill on Saturday. #Person2# asks about the distance, and #Person1# says it is about twelve kilometers and they should bring water and lunch.",
      """
1: Would you like to go hiking on Saturday?
2: Maybe. Where are you going?
1: Up Eagle Hill. There's an amazing view from the top.
2: How long is the walk?
1: About twelve kilometers there and back. It takes around five hours with breaks.
2: That sounds tiring, but okay. What should I bring?
1: Good shoes, at least two liters of water and something for lunch.
2: Shall we meet at the car park at the bottom?
1: Yes, at eight o'clock, before it gets too hot.
"""),
    # 64
    D("swimming lessons",
      "#Person1# wants to learn how to swim as an adult. #Person2# at the pool explains there are beginner classes for adults on Wednesday evenings and registers #Person1#.",
      """
1: Hello, do you offer swimming lessons for adults? I never learned as a child.
2: Yes, we do. Lots of adults join our classes, so don't worry.
1: That's good to hear. When are the beginner classes?
2: Wednesday evenings from seven to eight. The course is ten weeks long.
1: How much does it cost?
2: One hundred and twenty dollars for the whole course.
1: Okay. Can I sign up now?
2: Of course. The next course starts on the fifth. Just bring a swimsuit and a towel.
"""),
    # 65
    D("package delivery",
      "#Person1# didn't receive a package that was marked as delivered. #Person2# from the delivery company finds it was left with a neighbor at number 18.",
      """
1: Hello, my tracking says my package was delivered yesterday, but I never got it.
2: I'm sorry about that. Could you give me the tracking number?
1: It's T-R-7-7-2-1-0-4.
2: Thank you. According to the driver's notes, it was left with your neighbor at number 18 because nobody was home.
1: Oh, I didn't see a note.
2: The driver should have left a card. I apologize for that.
1: No problem. I'll go next door now. Thanks for checking.
"""),
    # 66
    D("hotel complaint",
      "#Person1# complains to the hotel reception that the air conditioning in room 304 isn't working. #Person2# apologizes and moves #Person1# to a room on a higher floor.",
      """
1: Good evening. I'm in room 304 and the air conditioning isn't working.
2: I'm very sorry to hear that. Have you tried the remote control by the bed?
1: Yes, several times. It only blows warm air.
2: I'll send someone from maintenance right away. But it may take a while to repair.
1: I'm really tired. Is there another room available?
2: Yes, we have a room on the seventh floor with a nicer view. I'll move you there at no extra cost.
1: Thank you, that's very kind.
2: Here's your new key. Someone will help you with your luggage.
"""),
    # 67
    D("restaurant reservation",
      "#Person1# calls to reserve a table for six on Saturday at eight. #Person2# only has a table at 8:30, and #Person1# accepts and mentions one guest is vegetarian.",
      """
2: Good afternoon, La Piazza. How may I help you?
1: Hi, I'd like to reserve a table for six people on Saturday at eight o'clock.
2: Let me check. I'm sorry, we're full at eight. I could offer you a table at 8:30.
1: 8:30 is fine.
2: May I have a name, please?
1: Chen. And one of my guests is vegetarian. Do you have vegetarian dishes?
2: Yes, we have several vegetarian pastas and a very good mushroom risotto.
1: Great. See you on Saturday.
"""),
    # 68
    D("flower shop",
      "#Person1# buys flowers for a mother's sixtieth birthday. #Person2# suggests a bouquet of pink roses and white lilies and offers to deliver it tomorrow morning.",
      """
1: Hello. I'd like some flowers for my mother. It's her sixtieth birthday tomorrow.
2: How lovely. What kind of flowers does she like?
1: She loves roses, especially pink ones.
2: How about a bouquet of pink roses with some white lilies? It looks very elegant.
1: That sounds beautiful. How much would it be?
2: Forty-five dollars for a medium bouquet. We can deliver it tomorrow morning for five dollars extra.
1: Yes, please deliver it. Could you also add a card?
2: Of course. What would you like it to say?
1: "Happy 60th birthday, Mom. With all my love, Jenny."
"""),
    # 69
    D("bakery",
      "#Person1# orders a birthday cake at the bakery for Saturday. #Person2# takes the order for a chocolate cake for twelve people with the name Max written on it.",
      """
1: Hi, I'd like to order a birthday cake for Saturday.
2: Sure. What flavor would you like?
1: Chocolate, please. It's for my son. He's turning eight.
2: How many people will it serve?
1: About twelve.
2: Then a medium cake is fine. Would you like anything written on it?
1: Yes, "Happy Birthday Max".
2: No problem. It'll be ready on Saturday after ten o'clock. That's thirty-two dollars.
1: Perfect. I'll pick it up around eleven.
"""),
    # 70
    D("pharmacy",
      "#Person1# asks #Person2#, a pharmacist, for something for hay fever. #Person2# recommends an antihistamine tablet once a day and warns it may cause slight sleepiness.",
      """
1: Hello, do you have anything for hay fever? My eyes are itchy and I keep sneezing.
2: Yes. These antihistamine tablets work well. You take one a day.
1: Do they make you sleepy?
2: Some people feel a little sleepy, so be careful if you're driving the first time.
1: Can I take them with other medicine?
2: Are you taking anything else at the moment?
1: No, nothing.
2: Then it's fine. If it doesn't get better in a week, please see your doctor.
"""),
    # 71 (short)
    D("time",
      "#Person1# asks #Person2# what time it is.",
      """
1: Excuse me, do you know what time it is?
2: It's a quarter past four.
1: Thanks a lot!
"""),
    # 72
    D("eye exam",
      "#Person1# has trouble reading the board at school. #Person2#, an optician, tests #Person1#'s eyes and finds #Person1# is slightly short-sighted and needs glasses.",
      """
2: So, what brings you here today?
1: I can't see the board clearly at school anymore, especially from the back row.
2: Let's test your eyes. Please cover your left eye and read the letters on the chart.
1: E, F, P... the small ones are blurry.
2: Now try with this lens.
1: Oh, that's much clearer!
2: You're slightly short-sighted. Glasses will help you see things far away.
1: Do I have to wear them all the time?
2: Only when you need to see far, like in class or at the cinema.
"""),
    # 73
    D("blood donation",
      "#Person1# wants to donate blood for the first time. #Person2# explains the process, asks about health, and says it takes about an hour in total.",
      """
1: Hi, I'd like to donate blood. It's my first time.
2: Thank you for coming! First, I need to ask a few health questions. Are you feeling well today?
1: Yes, I feel fine.
2: Have you eaten something in the last few hours?
1: I had a big breakfast.
2: Good. We'll check your iron level with a quick finger test, then the donation itself takes about ten minutes.
1: How long does the whole thing take?
2: About an hour, including a short rest and a snack afterwards.
1: Okay, I'm ready.
"""),
    # 74
    D("charity event",
      "#Person1# and #Person2# plan a charity run for the children's hospital. They decide the route around City Park and set the entry fee at fifteen dollars.",
      """
1: Let's talk about the charity run for the children's hospital.
2: Great. Where should the route go?
1: I think around City Park. It's about five kilometers and it's flat, so everyone can join.
2: Good choice. How much should we charge for entry?
1: Fifteen dollars for adults, and children can run for free.
2: That's fair. We'll need volunteers for the water stations too.
1: I'll ask the local high school. Maybe some students want to help.
2: And I'll design the posters this week.
"""),
    # 75
    D("job resignation",
      "#Person1# tells the manager #Person2# about leaving the company for a new job in another city. #Person2# is sorry to lose #Person1# but wishes #Person1# good luck.",
      """
1: Do you have a moment? There's something I need to tell you.
2: Of course. Have a seat.
1: I've accepted a job offer in Seattle. I'd like to give my four weeks' notice.
2: Oh, that's a surprise. We'll be sorry to lose you.
1: I've really enjoyed working here, but the new job is a great chance for me, and my family lives there.
2: I understand. Family is important. Could you help train your replacement before you go?
1: Of course. I'll write down everything about my projects.
2: Thank you. Good luck in Seattle.
"""),
    # 76
    D("retirement",
      "#Person1# asks #Person2# about retirement plans after forty years as a teacher. #Person2# plans to travel, garden and spend more time with the grandchildren.",
      """
1: I heard you're retiring at the end of the school year.
2: That's right. After forty years of teaching, it's time.
1: Forty years! What will you do with all that free time?
2: My wife and I want to travel. We've always wanted to see Japan.
1: That sounds wonderful.
2: And I'll finally have time for my garden and my grandchildren.
1: Your students will miss you.
2: I'll miss them too. But I'll come back to visit.
"""),
    # 77
    D("anniversary",
      "#Person1# asks #Person2# for ideas for a tenth wedding anniversary. #Person2# suggests recreating their first date, and #Person1# decides to book the same Italian restaurant.",
      """
1: My tenth wedding anniversary is next month and I have no idea what to do.
2: Ten years! Congratulations. Where did you two go on your first date?
1: A small Italian restaurant near the river. We had pizza and got caught in the rain afterwards.
2: Why not recreate that date? Go back to the same restaurant.
1: That's a sweet idea. I think it's still open.
2: And maybe bring an umbrella this time!
1: Ha! I'll book a table tonight.
"""),
    # 78
    D("family dinner",
      "#Person1# and #Person2# discuss who is bringing what to the family dinner on Sunday. #Person2# will make roast chicken and #Person1# will bring salad and dessert.",
      """
1: Are we still having the family dinner at your house on Sunday?
2: Yes, everyone's coming. That's twelve people.
1: What can I bring?
2: I'm making roast chicken and potatoes. Could you bring a salad?
1: Sure. I'll make my Greek salad. And dessert?
2: That would be great. Aunt Rosa can't eat nuts, so please remember that.
1: No problem. I'll make an apple pie without nuts.
2: Perfect. See you at one o'clock.
"""),
    # 79
    D("theatre",
      "#Person1# and #Person2# discuss the play they just saw. #Person1# loved the actors but found the second half too long, while #Person2# enjoyed the music most.",
      """
1: So, what did you think of the play?
2: I loved it! The music was fantastic.
1: The actors were great too, especially the woman who played the mother.
2: She was amazing. Did you like the ending?
1: I did, but the second half felt a bit long to me.
2: Maybe a little. It was almost three hours in total.
1: Still, I'm glad we came. Let's get something to eat.
2: Good idea. I'm starving.
"""),
    # 80
    D("art class",
      "#Person1# joins #Person2#'s watercolor class for the first time. #Person2# explains the materials and tells #Person1# to start by painting a simple sky.",
      """
2: Welcome to the class! Is this your first time painting with watercolors?
1: Yes, I've only ever drawn with pencils.
2: That's fine. You'll find a brush, a palette and some paper on your table.
1: What should I paint first?
2: Let's start with something simple, like a sky. Wet the top of the paper with clean water first.
1: Like this?
2: Perfect. Now add a little blue and let it spread on its own.
1: Oh, that looks nice already!
2: See? Watercolor does half the work for you.
"""),
    # 81
    D("yoga",
      "#Person1# tells #Person2# that yoga has helped with back pain. #Person2# is interested, and #Person1# invites #Person2# to a beginner class on Thursday.",
      """
2: You seem much more relaxed lately.
1: I started doing yoga twice a week. It's really helped with my back pain.
2: Really? I sit at a desk all day and my back hurts too.
1: You should try it. There's a beginner class on Thursday evenings at the studio near the station.
2: I'm not very flexible, though.
1: Nobody is at first. The teacher is very patient.
2: All right, I'll come with you on Thursday.
"""),
    # 82
    D("healthy eating",
      "#Person1# wants to eat more healthily. #Person2# suggests cooking at home, eating more vegetables and preparing lunch the night before.",
      """
1: I want to start eating better. I eat fast food almost every day.
2: Cooking at home is the best place to start.
1: But I'm so busy. I don't have time to cook every evening.
2: You could cook a big pot of soup or stew on Sunday and eat it for a few days.
1: That's smart.
2: And try to prepare your lunch the night before so you don't buy burgers at work.
1: What should I put in it?
2: Lots of vegetables, some rice or pasta, and chicken or beans. Simple things.
1: I'll try it this week.
"""),
    # 83
    D("sleep habits",
      "#Person1# has trouble sleeping. #Person2# advises stopping coffee after lunch and putting the phone away an hour before bed.",
      """
1: I've been sleeping so badly lately. I wake up at three every night.
2: Do you drink coffee in the afternoon?
1: Yes, usually two cups after lunch.
2: That might be keeping you awake. Try to stop drinking coffee after noon.
1: Anything else?
2: Do you use your phone in bed?
1: Um, every night.
2: The light from the screen makes it harder to sleep. Put it away an hour before bed and read a book instead.
1: I'll try both and see if it helps.
"""),
    # 84
    D("online shopping",
      "#Person1# ordered a blue dress online but received a green one. #Person2# from customer service apologizes and arranges a free exchange with a prepaid return label.",
      """
2: Thank you for contacting StyleBox. How can I help?
1: Hi, I ordered a blue dress last week, but I received a green one.
2: I'm very sorry about that. Could I have your order number?
1: It's 55109.
2: Thank you. I can see the mistake. We'll send you the blue dress today at no extra cost.
1: What should I do with the green one?
2: I'll email you a prepaid return label. Just put the dress back in the bag and drop it at any post office.
1: Great, thank you for your help.
"""),
    # 85
    D("bookstore",
      "#Person1# looks for a cookbook for a friend. #Person2# recommends a popular book of quick vegetarian recipes and offers gift wrapping.",
      """
1: Hello, I'm looking for a cookbook as a present for a friend.
2: What kind of food does your friend like?
1: She's vegetarian, and she's always busy, so something simple.
2: Then I'd recommend this one, "Quick Green Kitchen". All the recipes take less than thirty minutes.
1: That sounds perfect. How much is it?
2: Twenty-four dollars. Would you like it gift-wrapped?
1: Yes, please. Do you have paper with flowers on it?
2: We do. It'll take just a minute.
"""),
    # 86
    D("car rental",
      "#Person1# rents a small car for five days at the airport. #Person2# explains the insurance options and that the car must be returned with a full tank.",
      """
1: Hello, I have a reservation for a small car. The name is Novak.
2: Welcome, Mr. Novak. I see you've booked it for five days.
1: That's right.
2: Would you like to add full insurance? It's twelve dollars extra per day.
1: What does the basic insurance cover?
2: It covers damage to other cars, but you'd pay the first five hundred dollars of any damage to this car.
1: I'll take the full insurance, to be safe.
2: Good choice. Please return the car with a full tank. It's parked in space B7.
1: Thanks very much.
"""),
    # 87
    D("lost luggage",
      "#Person1#'s suitcase did not arrive after a flight from Madrid. #Person2# fills out a report and promises to deliver the bag to #Person1#'s hotel when it arrives.",
      """
1: Excuse me, my suitcase didn't come out on the belt. I was on the flight from Madrid.
2: I'm sorry. Can I see your baggage tag?
1: Here it is.
2: Thank you. It looks like your bag was left in Madrid. It will come on tomorrow's flight.
1: Oh no. All my clothes are in it.
2: I understand. Please fill in this form with your hotel address, and we'll deliver the bag there tomorrow.
1: Can I buy some things I need tonight?
2: Yes, keep the receipts and the airline will pay you back up to one hundred dollars.
1: Okay, thank you for your help.
"""),
    # 88
    D("visa application",
      "#Person1# asks #Person2# at the embassy about a student visa. #Person2# lists the documents needed and says the process takes about three weeks.",
      """
1: Good morning. I'd like to apply for a student visa.
2: Certainly. Have you been accepted by a university here?
1: Yes, I have the acceptance letter.
2: Good. You'll also need your passport, two photos, proof that you can pay for your studies, and health insurance.
1: Is a bank statement enough for the money part?
2: Yes, a statement from the last three months.
1: How long does it take?
2: Usually about three weeks, so apply as soon as possible.
1: Thank you. I'll bring everything on Monday.
"""),
    # 89
    D("currency exchange",
      "#Person1# wants to change three hundred dollars into euros. #Person2# gives the exchange rate and #Person1# receives the money in small notes.",
      """
1: Hi, I'd like to change three hundred US dollars into euros, please.
2: Sure. Today's rate is zero point nine two, so that's two hundred and seventy-six euros.
1: Is there a fee?
2: No fee for amounts over two hundred dollars.
1: Great. Small notes, please.
2: Of course. Tens and twenties.
"""),
    # 90
    D("sightseeing",
      "#Person1# asks #Person2#, a hotel receptionist, what to see in the city in one day. #Person2# suggests the old castle in the morning, lunch at the market, and a river cruise at sunset.",
      """
1: Good morning. I only have one day in the city. What should I see?
2: I'd start with the old castle. It opens at nine, and it's less crowded in the morning.
1: How do I get there?
2: It's a fifteen-minute walk up the hill, or you can take tram number 3.
1: And after that?
2: Have lunch at the central market. There are lots of food stalls with local dishes.
1: Sounds delicious. What about the evening?
2: Take a river cruise at sunset. It's one hour long and the views are beautiful.
1: Perfect. Where can I buy tickets for the cruise?
2: At the pier, but they often sell out in summer. I can book them for you from here if you like.
1: Yes, please. Two tickets for tonight.
2: Done. The boat leaves at 7:45 from pier B. Please be there fifteen minutes early.
1: Perfect. Thank you so much.
"""),
    # 91
    D("snow day",
      "#Person1# tells #Person2# that school is closed because of heavy snow. They decide to build a snowman and then have hot chocolate.",
      """
1: Mom, is it true there's no school today?
2: Yes, they just announced it on the radio. There's too much snow on the roads.
1: Yes! Can I go outside and play?
2: After breakfast, and put on your warm boots and gloves.
1: Will you help me build a snowman?
2: Sure. We can use a carrot for the nose.
1: And then can we have hot chocolate?
2: Of course. That's the best part of a snow day.
"""),
    # 92
    D("picnic",
      "#Person1# and #Person2# plan a picnic by the lake on Sunday. #Person1# will bring sandwiches and fruit, and #Person2# will bring drinks and a blanket.",
      """
1: The weather is supposed to be lovely on Sunday. How about a picnic?
2: I'd love that. Where should we go?
1: The lake in Willow Park. There are lots of shady trees.
2: Great. What should we bring?
1: I'll make some sandwiches and bring fruit.
2: Then I'll bring drinks and a big blanket to sit on.
1: Don't forget a frisbee!
2: Good idea. Shall we meet at noon by the park gate?
1: Noon it is.
"""),
    # 93
    D("beach trip",
      "#Person1# and #Person2# arrive at the beach. #Person2# reminds #Person1# to put on sunscreen, and they rent an umbrella for the day.",
      """
1: Finally, the beach! Look how blue the water is.
2: It's beautiful. Did you put on sunscreen?
1: Not yet. I'll do it now.
2: Good. The sun is really strong today. Let's rent an umbrella too.
1: How much is it?
2: The sign says eight dollars for the whole day, with two chairs.
1: That's cheap. Let's get one near the water.
2: And then I'm going straight in for a swim.
"""),
    # 94
    D("fishing",
      "#Person1# goes fishing with grandfather #Person2# for the first time. #Person2# teaches #Person1# to be patient, and #Person1# catches a small fish and releases it.",
      """
1: Grandpa, how long do we have to wait?
2: Fishing is all about patience. Just watch the float.
1: It's been twenty minutes already.
2: The fish will come. Keep your voice down, though.
1: Oh! The float went under!
2: Pull gently now, and turn the handle slowly.
1: I got one! It's so small.
2: It's a nice little one, but it's too young. Let's put it back in the water so it can grow.
1: Bye, little fish!
"""),
    # 95
    D("zoo visit",
      "#Person1# and #Person2# visit the zoo with a map. They decide to see the penguin feeding at eleven first and then the new baby elephant.",
      """
1: Let's look at the map. What do you want to see first?
2: The penguins! There's a feeding show at eleven.
1: It's ten forty now, so we should go there right away.
2: And after that, I really want to see the new baby elephant.
1: Oh, the one that was on the news?
2: Yes, she was born last month. She's over by the west gate.
1: Okay, penguins first, then the elephant, and then lunch.
"""),
    # 96
    D("science fair",
      "#Person1# explains a science fair project about which materials keep ice frozen longest to #Person2#, a judge. #Person1# found that wool worked best.",
      """
2: Hello, can you tell me about your project?
1: Sure. I wanted to find out which material keeps ice frozen the longest.
2: Which materials did you test?
1: Aluminum foil, newspaper, cotton and wool. I wrapped the same size ice cube in each.
2: And what did you find?
1: The ice in the wool lasted the longest, almost three hours. The foil was the worst.
2: Interesting. Why do you think wool worked best?
1: It traps air, and air doesn't let heat through easily.
2: Very good. You've done a careful job.
"""),
    # 97
    D("class presentation",
      "#Person1# is nervous about a history presentation tomorrow. #Person2# suggests practicing in front of a mirror and offers to listen to a practice run.",
      """
1: I have to give a presentation in history class tomorrow and I'm really nervous.
2: What's it about?
1: The building of the railway in our town in the 1880s.
2: That sounds interesting. Have you practiced?
1: Only in my head.
2: Try saying it out loud, maybe in front of a mirror. Or I can listen if you want.
1: Would you? That would help a lot.
2: Sure. Go ahead, I'll time you.
"""),
    # 98
    D("parent conference",
      "#Person2#, a teacher, tells #Person1# that their son Ben is doing well in reading but needs to hand in math homework on time. They agree to check his homework planner together.",
      """
2: Thank you for coming in, Mrs. Walsh.
1: Of course. How is Ben doing?
2: He's doing very well in reading. He's one of the best in the class.
1: That's great to hear. He loves books.
2: I'm a little worried about math, though. He often forgets to hand in his homework.
1: Oh, I didn't know that. He says he finishes it at school.
2: Let's use his homework planner. I'll write the assignments in it, and you can check it every evening.
1: That's a good idea. I'll talk to him tonight.
"""),
    # 99
    D("babysitting",
      "#Person1# gives #Person2#, a babysitter, instructions for the evening. The children should be in bed by eight, and #Person1#'s phone number is on the fridge.",
      """
1: Thanks for coming, Chloe. We'll be back around eleven.
2: No problem. What time do the kids go to bed?
1: Jake at eight, and Mia can stay up until eight thirty.
2: Okay. Have they eaten?
1: Not yet. There's pasta in the fridge. Just heat it up for ten minutes.
2: Got it.
1: My phone number is on the fridge door if you need anything.
2: Don't worry, we'll be fine. Have a nice evening!
"""),
    # 100
    D("housewarming",
      "#Person1# arrives at #Person2#'s housewarming party with a plant as a gift. #Person2# gives #Person1# a tour of the new house.",
      """
2: Come in, come in! I'm so glad you came.
1: Thanks for inviting me. I brought you a little something for your new home.
2: A plant! It's lovely, thank you.
1: It's easy to look after. Just water it once a week.
2: Perfect, because I forget everything. Would you like a tour?
1: Yes, please!
2: This is the living room, and the kitchen is through there. The best part is the garden at the back.
1: Wow, it's so big! You could grow vegetables.
2: That's the plan for next spring.
"""),
    # 101
    D("laundry",
      "#Person1# asks #Person2# how to use the washing machines at the laundromat. #Person2# explains how to pay and which program to use for colored clothes.",
      """
1: Excuse me, how do these machines work? It's my first time here.
2: You pay at the machine on the wall. Choose the number of your washer and put in four dollars.
1: Then what?
2: Put your clothes in, add the detergent in the small drawer, and choose the program.
1: Which program should I use for colored clothes?
2: Forty degrees is usually fine. It takes about fifty minutes.
1: And the dryers?
2: One dollar for fifteen minutes. Thirty minutes is usually enough.
1: Thank you for explaining.
"""),
    # 102
    D("tailoring",
      "#Person1# asks #Person2#, a tailor, to shorten a pair of trousers by three centimeters. #Person2# measures them and says they will be ready on Thursday.",
      """
1: Hello, could you shorten these trousers for me?
2: Of course. Please put them on so I can measure.
1: Okay, here.
2: I think about three centimeters shorter would be good. Do you wear them with flat shoes or heels?
1: Mostly with flat shoes.
2: Then three centimeters is right. It will cost fifteen dollars.
1: When will they be ready?
2: On Thursday afternoon.
"""),
    # 103
    D("gift shopping",
      "#Person1# asks #Person2# for advice on a gift for a father who likes cooking. #Person2# suggests a good chef's knife, and #Person1# buys one.",
      """
1: I need a birthday present for my dad, but I have no idea what to get.
2: What does he like to do?
1: He loves cooking. He makes dinner for the whole family every Sunday.
2: How about a good chef's knife? A quality knife makes cooking so much easier.
1: That's a great idea. His old one is really dull.
2: This one is very popular. It's sixty dollars and comes in a nice wooden box.
1: I'll take it. Could you wrap it?
2: Of course.
"""),
    # 104 (short)
    D("borrowing a pen",
      "#Person1# borrows a pen from #Person2#.",
      """
1: Sorry, could I borrow a pen?
2: Sure, here you go.
1: Thanks, I'll give it back after class.
"""),
    # 105
    D("holiday plans",
      "#Person1# and #Person2# discuss where to spend the winter holidays. #Person1# wants to go skiing, #Person2# prefers somewhere warm, and they agree on a ski resort with a spa.",
      """
1: Where should we go for the winter holidays?
2: Somewhere warm! I'm so tired of the cold.
1: But I was really hoping to go skiing this year.
2: Hmm. We always want different things.
1: What about a ski resort with a spa? I can ski, and you can relax in the warm pool.
2: That actually sounds perfect. Is there one nearby?
1: There's one in the mountains about three hours away. It has an indoor pool and a sauna.
2: Let's look at the prices tonight.
"""),
    # 106
    D("new year",
      "#Person1# and #Person2# share their New Year's resolutions. #Person1# wants to read twenty books this year and #Person2# wants to learn to play the guitar.",
      """
1: Happy New Year! Did you make any resolutions?
2: Happy New Year! Yes, I want to learn to play the guitar.
1: That's great. Do you have a guitar?
2: My uncle gave me his old one for Christmas. What about you?
1: I want to read twenty books this year. Last year I only read three.
2: That's a lot. How will you find the time?
1: I'll read for half an hour on the bus every day instead of looking at my phone.
2: Good plan. Let's check on each other in June.
"""),
    # 107
    D("thanksgiving dinner",
      "#Person1# is hosting Thanksgiving dinner for the first time and is worried about cooking the turkey. #Person2# gives tips on timing and offers to come early to help.",
      """
1: I'm hosting Thanksgiving this year for the first time, and I'm so worried about the turkey.
2: How big is it?
1: About six kilos.
2: Then it needs about three and a half hours in the oven. Start early.
1: How do I know when it's done?
2: Use a meat thermometer. And let it rest for thirty minutes before you cut it.
1: That's really helpful. I'm still nervous, though.
2: Why don't I come over at noon and help you?
1: Would you? That would be wonderful.
"""),
    # 108
    D("job fair",
      "#Person1# talks to #Person2# at a job fair about internships at an engineering company. #Person2# explains the six-month program and gives #Person1# a brochure.",
      """
1: Hello, I'm a third-year engineering student. Do you offer internships?
2: Yes, we have a six-month internship program starting in July.
1: What kind of work would interns do?
2: You'd join one of our project teams and help design parts for wind turbines.
1: That sounds really interesting. Is it paid?
2: Yes, interns receive a monthly salary. Here's a brochure with all the details.
1: Thank you. How do I apply?
2: Send your CV and a cover letter through our website before the end of March.
"""),
    # 109
    D("career advice",
      "#Person1# is unsure whether to become a nurse or a teacher. #Person2# suggests volunteering in both a hospital and a school to see which feels right.",
      """
1: Can I ask your advice? I can't decide if I want to be a nurse or a teacher.
2: Both are great jobs. What do you like about each?
1: I like helping people feel better, but I also love working with children.
2: Have you spent any time in a hospital or a school?
1: Not really, just as a patient and a student.
2: Why not volunteer in both for a few weeks this summer? You'll learn a lot about what the work is really like.
1: That's a good idea. I'll ask at the local hospital and my old primary school.
"""),
    # 110
    D("study abroad",
      "#Person1# is thinking about studying abroad in Japan for a semester. #Person2#, who did it two years ago, says it was the best experience and recommends living with a host family.",
      """
1: You studied in Japan, didn't you?
2: Yes, for one semester in Osaka, two years ago.
1: I'm thinking of applying for the exchange program there. Was it difficult?
2: At first the language was hard, but everyone was so helpful. It was the best experience of my life.
1: Where did you live?
2: With a host family. I highly recommend it. You learn the language much faster.
1: Did you travel much?
2: Every weekend! Kyoto and Nara are very close by train.
1: Okay, I'm applying.
"""),
    # 111
    D("group project",
      "#Person1# and #Person2# divide up the tasks for their group project on renewable energy. #Person1# will research solar power and #Person2# will make the slides.",
      """
1: Let's plan our group project on renewable energy. It's due in two weeks.
2: Okay. How should we split the work?
1: I can research solar power, and you could look at wind power.
2: Sure. And what about Lucas? He's in our group too.
1: He said he'll do water power.
2: Great. I can also make the slides, since I'm good at design.
1: Perfect. Let's send our notes to you by next Friday.
2: Then we can practice the presentation together on Monday.
"""),
    # 112
    D("printer problem",
      "#Person1# can't print a document because of a paper jam. #Person2# shows #Person1# how to open the back of the printer and remove the paper.",
      """
1: The printer says "paper jam", but I can't see any paper.
2: Open the little door at the back.
1: Oh, yes, there's a crumpled page inside.
2: Pull it out slowly so it doesn't tear.
1: Got it. Now it's printing. Thanks!
"""),
    # 113
    D("business trip",
      "#Person1# asks #Person2#, an assistant, to arrange a business trip to Chicago next Tuesday. #Person2# will book a morning flight and a hotel near the conference center.",
      """
1: Hi Grace, could you arrange a trip to Chicago for me next Tuesday?
2: Of course. How long will you be staying?
1: Two nights. I'll come back on Thursday evening.
2: Would you prefer a morning or afternoon flight on Tuesday?
1: Morning, please. My first meeting is at three.
2: I'll book a hotel near the conference center, so you can walk there.
1: Perfect. And could you print the meeting schedule for me?
2: I'll have everything ready on your desk by Friday.
"""),
    # 114
    D("customer service",
      "#Person1# calls to cancel a magazine subscription. #Person2# offers a cheaper digital version, but #Person1# still prefers to cancel, and #Person2# confirms the cancellation.",
      """
2: Good morning, Reader's Corner subscriptions. How can I help?
1: Hi, I'd like to cancel my magazine subscription, please.
2: I'm sorry to hear that. May I ask why?
1: I just don't have time to read it anymore.
2: I understand. Would you be interested in our digital version? It's half the price.
1: Thanks, but I think I'll cancel it completely.
2: No problem. Your subscription will end after this month's issue.
1: Thank you for your help.
"""),
    # 115
    D("tennis",
      "#Person1# asks #Person2# to play tennis on Wednesday evening. #Person2# agrees and books a court at the club for six o'clock.",
      """
1: Do you want to play tennis this week?
2: I'd love to. I haven't played in ages.
1: How about Wednesday evening after work?
2: Wednesday works. I'll book a court at the club. Is six o'clock okay?
1: Perfect. Do you have an extra racket? Mine is broken.
2: Yes, I'll bring my old one for you.
1: Great. Loser buys the drinks!
2: Ha! You're on.
"""),
    # 116
    D("board games",
      "#Person1# invites #Person2# to a board game night on Friday. #Person2# agrees and offers to bring a new card game and some snacks.",
      """
1: We're having a board game night at my place on Friday. Want to come?
2: Sounds fun! Who's coming?
1: Just a few friends from work. Maybe six people.
2: What games do you have?
1: Lots of classic ones, and a new one about building railways.
2: I just bought a new card game. Can I bring it?
1: Of course. The more the better.
2: I'll bring some snacks as well.
1: Great, see you Friday at seven.
"""),
    # 117 (long)
    D("conference planning",
      "#Person1# and #Person2# plan a two-day company conference for about two hundred people in October. They go over the venue, speakers, catering, hotel rooms and budget, and agree on next steps. #Person2# will contact the hotel and #Person1# will confirm the speakers.",
      """
1: We need to start planning the October conference. Do you have a few minutes?
2: Sure. Last year we had about a hundred and fifty people. How many are we expecting this time?
1: Around two hundred, since the new offices in Lyon and Porto are joining.
2: Then the hall we used last year will be too small. What about the Riverside Hotel? Their main room holds two hundred and fifty.
1: Good idea. They also have smaller rooms for the afternoon workshops.
2: And many guests could stay there, so nobody needs taxis in the morning.
1: Exactly. Now, speakers. I've already asked Dr. Olsen to give the opening talk about customer trends.
2: Has she confirmed?
1: Not yet. I'll call her on Monday. I'd also like two short talks from our own team leaders.
2: What about food? Last year people complained there were no vegetarian options.
1: Right. This time we'll ask the hotel for a buffet with vegetarian and gluten-free dishes on both days.
2: And coffee breaks, morning and afternoon.
1: Of course. Now the budget is forty thousand euros, including rooms for the guests from other offices.
2: That should be enough if we book early. Hotels get expensive in October.
1: Then could you contact the Riverside Hotel this week and ask for prices?
2: I'll email them today. And you'll confirm the speakers?
1: Yes. Let's meet again next Thursday to compare notes.
"""),
    # 118
    D("cooking class",
      "#Person1# signs up for a Thai cooking class. #Person2# explains the class is on Saturday mornings, costs fifty dollars, and students eat what they cook.",
      """
1: Hi, I saw your sign about cooking classes. What kind of food do you teach?
2: This month we're doing Thai food. Curries, noodles and spring rolls.
1: I love Thai food! When are the classes?
2: Saturday mornings, from ten until one.
1: How much does it cost?
2: Fifty dollars per class, and all ingredients are included. And you get to eat everything you make.
1: That's the best part! Can I sign up for this Saturday?
2: Yes, there are still two places left.
"""),
    # 119
    D("chess",
      "#Person1# wants to get better at chess. #Person2# recommends solving puzzles every day and joining the chess club at the library on Mondays.",
      """
1: I keep losing at chess. How did you get so good?
2: Practice, mostly. Do you do chess puzzles?
1: No, I just play games online.
2: Puzzles really help you see tactics. Try to solve five every day.
1: Okay. Anything else?
2: Join the chess club at the library. They meet every Monday evening, and people of all levels come.
1: I'd be nervous playing against real people.
2: Everyone is friendly. They even have lessons for beginners.
"""),
    # 120
    D("subway directions",
      "#Person1# asks #Person2# how to get to Union Square by subway. #Person2# says to take the green line two stops and change to the red line at Park Street.",
      """
1: Excuse me, how do I get to Union Square by subway?
2: Take the green line going north for two stops.
1: Then do I get off?
2: Yes, get off at Park Street and change to the red line.
1: Which direction on the red line?
2: Towards Harbor Point. Union Square is the third stop.
1: How long does it take in total?
2: About twenty-five minutes.
1: Thank you, you're very kind.
"""),
    # 121
    D("roommate",
      "#Person1# and #Person2#, roommates, make a cleaning schedule. #Person1# will clean the kitchen and #Person2# the bathroom, and they will switch every week.",
      """
1: Can we talk about cleaning? The kitchen is getting really messy.
2: You're right. I've been so busy with exams.
1: Maybe we could make a schedule.
2: Good idea. How should we split it?
1: This week, I'll clean the kitchen and you clean the bathroom. Then we switch every week.
2: Fair enough. And we both take out the trash when it's full.
1: Great. I'll put the schedule on the fridge.
2: Thanks for bringing it up so nicely.
"""),
    # 122
    D("video games",
      "#Person1# asks #Person2# about a new adventure video game. #Person2# says it's beautiful and relaxing and lends #Person1# the game for the weekend.",
      """
1: Have you played that new adventure game everyone's talking about?
2: Yes, I finished it last week. It's wonderful.
1: What's it about?
2: You sail around islands and help people rebuild their villages after a storm.
1: Is it hard?
2: Not really. It's more relaxing than difficult, and the music is beautiful.
1: I'd like to try it, but it's quite expensive.
2: You can borrow mine this weekend.
1: Really? Thanks, I'll take good care of it.
"""),
    # 123
    D("marathon",
      "#Person1# is training for a first marathon in April. #Person2# asks about the training, and #Person1# explains running four times a week with a long run on Sundays.",
      """
2: I heard you signed up for the city marathon!
1: Yes, it's in April. It's my first one.
2: That's brave. How are you training?
1: I run four times a week. Three short runs, and a long run every Sunday.
2: How long is the long run now?
1: Twenty-two kilometers. I'll slowly increase it to thirty-two.
2: Wow. What do you eat before running?
1: Usually a banana and some oatmeal.
2: I'll come and cheer for you on race day.
"""),
    # 124
    D("office supplies",
      "#Person1# asks #Person2# to order office supplies. They need printer paper, blue pens and sticky notes, and #Person2# will place the order today.",
      """
1: Could you order some office supplies for us?
2: Sure. What do we need?
1: We're almost out of printer paper. Maybe ten boxes.
2: Okay. Anything else?
1: Blue pens, about fifty, and some sticky notes.
2: Yellow ones, as usual?
1: Yes, and maybe a few packs in other colors too.
2: I'll place the order today. It should arrive on Wednesday.
"""),
    # 125
    D("dance class",
      "#Person1# and #Person2# take a salsa class together. #Person1# keeps stepping on #Person2#'s feet, but #Person2# encourages #Person1# to keep practicing.",
      """
1: Sorry! I stepped on your foot again.
2: It's okay. It's only our second class.
1: I don't know how everyone else learns so fast.
2: Just count in your head. One, two, three, pause, five, six, seven.
1: One, two, three... oh, I think I've got it now.
2: See? You're doing much better.
1: Maybe we can practice at home before next week's class.
2: Sure, we can move the coffee table and put on some music.
"""),
]

# ---------------------------------------------------------------------------
# validation split: 15 records, all 200 < len(dialogue) <= 1000.
# ---------------------------------------------------------------------------
VALIDATION = [
    D("asking directions",
      "#Person1# is looking for the town hall. #Person2# says it's about ten minutes on foot: go past the fountain, then turn right onto King Street.",
      """
1: Excuse me, I'm trying to find the town hall. Am I going the right way?
2: Not quite. You need to turn around and go back to the fountain.
1: The one in the square?
2: Yes. From the fountain, turn right onto King Street. The town hall is the big stone building at the end.
1: How far is it?
2: About ten minutes on foot.
1: Thank you very much.
"""),
    D("job interview",
      "#Person1# interviews #Person2# for a chef position. #Person2# has worked in two hotel kitchens and is good at baking, and #Person1# asks #Person2# to cook a trial dish next Tuesday.",
      """
1: Thanks for coming in, Mr. Okafor. Tell me about your cooking experience.
2: I've worked in two hotel kitchens over the last six years, first as an assistant cook and then as a chef.
1: What kind of food do you enjoy making?
2: Mostly European dishes, but baking is my real strength. I make all kinds of bread and pastries.
1: That's good. Do you have any experience planning menus?
2: Yes. At my last hotel I planned the weekly lunch menu, and I tried to use local vegetables in season.
1: Excellent. Would you be able to come next Tuesday and cook a trial dish for us?
2: Of course. What time, and is there anything special you'd like me to make?
1: Ten in the morning. Choose any main dish you're proud of, and we'll provide the ingredients.
"""),
    D("shopping",
      "#Person1# is looking for a gift for a niece's fifth birthday. #Person2# recommends a wooden puzzle set, and #Person1# buys it for eighteen dollars.",
      """
1: Hello, I need a present for my niece. She's turning five.
2: What does she enjoy?
1: She loves animals and puzzles.
2: Then this wooden puzzle set is perfect. It has six puzzles with farm animals.
1: Oh, that's sweet. Is it safe for a five-year-old?
2: Yes, it's made for ages three and up.
1: How much is it?
2: Eighteen dollars.
1: I'll take it, thank you.
"""),
    D("doctor visit",
      "#Person1# hurt an ankle playing basketball. #Person2# examines it, thinks it's a sprain rather than a break, and recommends rest, ice and keeping the foot raised.",
      """
2: What happened to your ankle?
1: I twisted it playing basketball yesterday. It's quite swollen.
2: Can you stand on it?
1: A little, but it hurts.
2: Let me check. Does it hurt when I press here?
1: Yes, a bit.
2: I don't think it's broken. It looks like a sprain. Rest it for a few days, put ice on it for twenty minutes at a time, and keep your foot up when you sit.
1: When can I play again?
2: Probably in two or three weeks. Don't rush it.
"""),
    D("hotel booking",
      "#Person1# asks #Person2# to change a hotel booking from two nights to three. #Person2# confirms the extra night is available at the same price.",
      """
1: Hello, I have a booking for two nights starting Friday. Could I add an extra night?
2: Certainly. May I have your name?
1: Kowalski, Anna Kowalski.
2: Thank you, Ms. Kowalski. Yes, your room is free on Sunday night as well.
1: Is the price the same?
2: Yes, one hundred and ten dollars per night.
1: Great, please add it.
2: Done. You'll check out on Monday morning instead of Sunday.
"""),
    D("birthday party",
      "#Person1# invites #Person2# to a thirtieth birthday party at a bowling alley on Saturday evening. #Person2# happily accepts.",
      """
1: Are you free on Saturday evening?
2: I think so. Why?
1: It's my thirtieth birthday, and I'm having a party at the bowling alley on Lake Road.
2: Bowling! That sounds fun. What time?
1: We start at seven. Afterwards we'll have dinner at the diner next door.
2: I'll definitely be there. Can I bring my sister?
1: Of course, the more the merrier.
"""),
    D("weather chat",
      "#Person1# and #Person2# talk about an unexpected heat wave in April. #Person2# suggests going to the outdoor pool, which opens early this year.",
      """
1: Can you believe how hot it is? It's only April!
2: It's crazy. It was twenty-nine degrees yesterday.
1: I wasn't ready for this. I'm still wearing my winter clothes.
2: Did you hear the outdoor pool is opening early because of the heat?
1: Really? When?
2: This Saturday. Shall we go?
1: Absolutely. I'll find my swimsuit.
"""),
    D("restaurant order",
      "#Person1# and #Person2# order at a pizza restaurant. They share a large pizza with mushrooms and olives, and #Person3#, the waiter, takes their order.",
      """
1: What do you feel like? Should we share a pizza?
2: Sure. How about mushrooms and olives?
1: Sounds good. Let's get a large one.
3: Are you ready to order?
1: Yes, a large pizza with mushrooms and olives, please.
3: It'll be about fifteen minutes. Anything to drink?
2: Just water, thanks.
"""),
    D("library",
      "#Person1# asks #Person2# for help finding books about ancient Rome for a school report. #Person2# shows #Person1# the history section and how to search the catalogue.",
      """
1: Excuse me, I need books about ancient Rome for a school report.
2: Sure. The history section is upstairs, on the left.
1: Is there a way to see which books you have?
2: Yes, you can use the computer catalogue. Type "ancient Rome" in the search box.
1: Oh, there are lots of results.
2: Look at the call numbers. Those starting with 937 are all about Rome.
1: Great. Can I take them home?
2: Most of them, yes. The ones marked "reference" must stay in the library.
1: Thanks for your help.
"""),
    D("car repair",
      "#Person1# calls #Person2#'s garage to ask if the car is ready. #Person2# says the oil change is done but a new battery is also needed, and #Person1# agrees to replace it.",
      """
1: Hi, this is Mark Jensen. I'm calling to see if my car is ready.
2: Hello, Mr. Jensen. The oil change is done, but we found that your battery is very weak.
1: Really? The car did start slowly last week.
2: That's why. I'd recommend a new battery before winter.
1: How much would that cost?
2: About one hundred and ten dollars, including installation.
1: Okay, please go ahead. When can I pick it up?
2: By four o'clock this afternoon.
"""),
    D("pet care",
      "#Person1# takes a dog to #Person2#, a vet, because the dog isn't eating. #Person2# finds a sore tooth and recommends removing it.",
      """
2: Hello, who do we have here?
1: This is Bella. She hasn't been eating much for three days.
2: Is she drinking water?
1: Yes, but she doesn't touch her food.
2: Let me look in her mouth. Ah, I see. One of her back teeth is infected. That's why eating hurts.
1: Poor Bella. What can we do?
2: It's best to take the tooth out. It's a small operation, and she'll feel much better afterwards.
1: Okay. When can you do it?
2: Tomorrow morning. Please don't feed her after eight tonight.
"""),
    D("gym membership",
      "#Person1# wants to cancel a gym membership because of moving to another city. #Person2# explains one month's notice is needed and processes the request.",
      """
1: Hi, I'd like to cancel my membership, please.
2: I'm sorry to hear that. May I ask why?
1: I'm moving to another city next month.
2: I see. We need one month's notice, so your last payment will be on the first of next month.
1: That's fine.
2: Could you sign this form, please?
1: Sure. Here you go.
2: Thank you. Good luck with the move!
"""),
    D("train tickets",
      "#Person1#'s train has been cancelled. #Person2# says #Person1# can use the same ticket on the next train at 3:20 from platform two.",
      """
1: Excuse me, my train to Leeds at 2:50 has been cancelled. What should I do?
2: I'm sorry about that. You can use your ticket on the next train.
1: When is the next one?
2: At 3:20 from platform two.
1: Will I need to pay anything extra?
2: No, your ticket is valid for any train today.
1: Thank you. Is there somewhere to get a coffee while I wait?
2: Yes, there's a café just beside platform one.
"""),
    D("moving house",
      "#Person1# calls a moving company for a quote. #Person2# asks about the size of the apartment and the distance, and offers a price of six hundred dollars for a two-bedroom apartment.",
      """
2: Good morning, Easy Move. How can I help you?
1: Hi, I'd like a price for moving my things next month.
2: Of course. How big is your apartment?
1: Two bedrooms. I have quite a lot of furniture.
2: And where are you moving to?
1: To Westbrook, about thirty kilometers away.
2: For a two-bedroom apartment over that distance, it would be about six hundred dollars with three movers.
1: Does that include packing?
2: Packing is one hundred dollars extra, but we bring all the boxes.
1: I'll pack myself, then. Thank you.
"""),
    D("cinema",
      "#Person1# and #Person2# choose a film at the cinema. #Person2# doesn't like horror films, so they pick a comedy starting at 7:15 and buy popcorn.",
      """
1: What do you want to see? There's that new horror film.
2: Oh, please, no horror. I won't sleep for a week.
1: Ha, okay. What about the comedy with the talking dog?
2: That sounds fun. What time does it start?
1: At 7:15. We have twenty minutes.
2: Perfect. Let's get popcorn.
1: Sweet or salty?
2: Let's get a mix.
"""),
]

# ---------------------------------------------------------------------------
# test split: 30 records, all 200 < len(dialogue) <= 1000.
# ---------------------------------------------------------------------------
TEST = [
    D("asking directions",
      "#Person1# is lost and asks #Person2# how to get to the Grand Hotel. #Person2# says it's too far to walk and suggests taking the number 9 bus from across the street.",
      """
1: Excuse me, I think I'm lost. Could you tell me how to get to the Grand Hotel?
2: The Grand Hotel? That's on the other side of the river. It's quite far to walk.
1: Oh. How far is it?
2: About forty minutes on foot. You'd better take the bus.
1: Which bus should I take?
2: The number 9, from the stop across the street. Get off at Bridge Road, and the hotel is right there.
1: Thank you so much for your help.
2: You're welcome. Enjoy your stay.
"""),
    D("job interview",
      "#Person2# interviews #Person1# for a receptionist position at a medical clinic. #Person1# speaks three languages and has used booking software before, and #Person2# says there will be a second interview.",
      """
2: Please, come in and sit down. So, you're applying for the receptionist position.
1: Yes, that's right.
2: Our clinic sees a lot of patients from different countries. What languages do you speak?
1: English, French and Arabic.
2: That's very useful. Have you worked with booking software before?
1: Yes, at my last job in a dental office I managed all the appointments on the computer.
2: How do you feel about early shifts? The clinic opens at seven.
1: That's no problem. I'm an early riser.
2: Wonderful. Sometimes patients are worried or in pain when they arrive. How would you make them feel welcome?
1: I'd greet them with a smile, speak calmly, and tell them clearly how long they might need to wait.
2: We'd like to invite you for a second interview next week, with our head doctor.
"""),
    D("shopping",
      "#Person1# wants to buy a laptop for university. #Person2# recommends a light model with a long battery life, and #Person1# decides to buy it with a student discount.",
      """
1: Hi, I need a laptop for university. Something not too expensive.
2: What will you use it for mostly?
1: Writing essays, research, and some video calls.
2: Then you don't need anything too powerful. This model is light and the battery lasts about twelve hours.
1: That's good, because I'll carry it around all day. How much is it?
2: Six hundred and fifty dollars, but students get ten percent off.
1: I have my student card right here.
2: Great, that brings it down to five hundred and eighty-five.
1: Does it come with a warranty?
2: Yes, one year. You can add two more years for sixty dollars, if you like.
1: I think one year is enough. Does it have a camera for video calls?
2: Yes, it has a built-in camera and microphone, so you don't need anything extra.
1: Perfect. I'll take it.
"""),
    D("doctor visit",
      "#Person1# has been having headaches for two weeks. #Person2# asks about screen time and sleep, and suggests taking breaks from the computer and having an eye test.",
      """
2: What can I do for you today?
1: I've had headaches almost every afternoon for about two weeks.
2: Do you work at a computer?
1: Yes, about nine hours a day.
2: Do you take breaks?
1: Not really. I'm very busy at the moment.
2: Try to look away from the screen every twenty minutes and take a short walk every hour. Also, when did you last have your eyes tested?
1: Maybe five years ago.
2: Then please get an eye test. You may need glasses for the computer. Come back if the headaches continue.
"""),
    D("hotel booking",
      "#Person1# checks into a hotel. #Person2# gives #Person1# the key to room 512, explains breakfast times and tells #Person1# the wifi password is on the key card.",
      """
1: Good evening. I have a reservation under the name Fischer.
2: Welcome, Mr. Fischer. Yes, a single room for two nights.
1: That's right.
2: Here's your key. You're in room 512 on the fifth floor. The lifts are on your left.
1: What time is breakfast?
2: From 6:30 to 10:00 in the restaurant on the ground floor.
1: And is there wifi?
2: Yes, the password is written on the key card holder.
1: Thank you.
"""),
    D("birthday party",
      "#Person1# asks #Person2# for ideas for a seven-year-old son's birthday party. #Person2# suggests a treasure hunt in the garden, which #Person1# loves.",
      """
1: Jonas is turning seven next month, and I don't know what kind of party to have.
2: What does he like?
1: Pirates. He talks about them all the time.
2: How about a treasure hunt in your garden? You could hide clues and a box of chocolate coins.
1: Oh, he'd love that!
2: The kids could wear pirate hats, and you could make a map for each team.
1: That's a wonderful idea. Thank you!
"""),
    D("restaurant order",
      "#Person1# asks #Person2#, a waiter, about dishes without nuts because of an allergy. #Person2# checks with the chef, who says the chicken curry and the vegetable soup are nut-free, so #Person1# orders the curry.",
      """
1: Excuse me, I have a nut allergy. Which dishes are safe for me?
2: Let me check with the chef to be sure.
1: Thank you, I appreciate it.
2: The chef says the chicken curry and the vegetable soup are completely nut-free.
1: I'll have the chicken curry, then.
"""),
    D("bank account",
      "#Person1# lost a bank card. #Person2# blocks the card right away and orders a new one, which will arrive in five working days.",
      """
1: Hello, I think I lost my bank card. I can't find it anywhere.
2: I'm sorry to hear that. I'll block it immediately so nobody can use it. Can you confirm your date of birth?
1: The fourteenth of March, 1990.
2: Thank you. The card is now blocked. Have you noticed any strange payments?
1: No, everything looks normal in the app.
2: Good. I'll order a new card for you. It will arrive by post in five working days.
1: Can I still take out money before then?
2: Yes, bring your ID to any branch and we can help you.
"""),
    D("apartment rental",
      "#Person1# looks at an apartment with #Person2#, the landlord. #Person1# likes the big windows and asks about pets, and #Person2# says a small cat is allowed.",
      """
2: This is the living room. As you can see, the windows are very big.
1: It's so bright! I love it.
2: The kitchen was renovated last year, and there's a small balcony off the bedroom.
1: Very nice. Can I ask about pets? I have a cat.
2: A cat is fine, as long as she's not too noisy.
1: She mostly sleeps all day.
2: Ha, then no problem. The rent is nine hundred a month, with one month's deposit.
1: Could I think about it until tomorrow?
2: Of course. Just call me before noon.
"""),
    D("airport check-in",
      "#Person1#'s suitcase is three kilos over the limit. #Person2# explains the extra fee, so #Person1# moves some things into a backpack instead.",
      """
2: Could you put your suitcase on the scale, please?
1: Sure.
2: I'm afraid it's twenty-six kilos. The limit is twenty-three.
1: Oh no. How much is the extra fee?
2: It's fifteen dollars per extra kilo, so forty-five dollars.
1: Could I take some things out and put them in my backpack?
2: Of course. You can step aside and do it here.
1: Okay, I took out my shoes and two books. Let's try again.
2: Twenty-two point eight. Perfect.
"""),
    D("school homework",
      "#Person1# has to write an essay about a hero and can't think of anyone. #Person2# suggests writing about #Person1#'s grandmother, who was a nurse for thirty years.",
      """
1: I have to write an essay about a hero, but I can't think of anyone.
2: It doesn't have to be someone famous, does it?
1: No, the teacher said it could be anyone.
2: What about your grandmother? She was a nurse for thirty years and helped so many people.
1: That's true. She worked nights at the hospital and still took care of our family.
2: You could ask her some questions about her work this weekend.
1: Great idea. I'll call her tonight.
"""),
    D("coffee shop",
      "#Person1# and #Person2# meet at a café to catch up after a long time. #Person2# has started a new job as an architect, and they agree to meet more often.",
      """
1: It's so good to see you! It's been almost a year.
2: I know! Time goes by so fast. How have you been?
1: Busy, but good. I moved to a new flat in the spring. And you?
2: I started a new job as an architect in September.
1: Congratulations! Do you like it?
2: I love it. I'm designing a new library right now.
1: That's amazing. We really shouldn't wait so long to meet again.
2: Agreed. Let's have coffee every month.
"""),
    D("computer problem",
      "#Person1# accidentally deleted an important file. #Person2# helps #Person1# find it in the recycle bin and restore it.",
      """
1: Oh no, I think I deleted the budget file by mistake!
2: Don't panic. Did you empty the recycle bin?
1: I don't think so.
2: Then it's probably still there. Open the recycle bin on your desktop.
1: Okay... yes, there it is! "Budget_final".
2: Right-click on it and choose "Restore".
1: It's back in my folder. You saved my day!
2: Next time, keep a copy in the cloud too.
"""),
    D("internet service",
      "#Person1# wants a faster internet plan for working from home. #Person2# offers an upgrade to 500 megabits for ten dollars more per month, and #Person1# accepts.",
      """
2: Hello, you're speaking with Lina from NetLink. How can I help?
1: Hi, I work from home now, and my internet is too slow for video calls.
2: Let me look at your plan. You currently have 100 megabits.
1: What faster options do you have?
2: We can upgrade you to 500 megabits for ten dollars more per month.
1: Will I need a new router?
2: No, your router supports it. The change will happen tonight.
1: Great, please upgrade it.
2: Done. You'll see the new speed tomorrow morning.
"""),
    D("neighbors",
      "#Person1# politely asks neighbor #Person2# to keep the music down late at night because #Person1# has to get up early. #Person2# apologizes and promises to use headphones after ten.",
      """
1: Hi, sorry to bother you. Do you have a minute?
2: Sure, what's up?
1: I wanted to mention that I can sometimes hear music quite late at night. I start work at six, so I go to bed early.
2: Oh, I'm so sorry! I didn't realize the walls were so thin.
1: It's no big deal, I just thought I'd mention it.
2: I'll use my headphones after ten from now on.
1: Thank you, I really appreciate it.
2: And please tell me if it happens again.
"""),
    D("museum visit",
      "#Person1# asks #Person2#, a museum guide, about photography rules. #Person2# says photos are allowed without flash, except in the painting gallery.",
      """
1: Excuse me, am I allowed to take photos in the museum?
2: Yes, you can take photos in most rooms, but please don't use flash.
1: Why is flash not allowed?
2: The strong light can damage old objects over time.
1: I see. Are there any rooms where I can't take photos at all?
2: Yes, the painting gallery on the third floor. Some of the paintings are borrowed from other museums.
1: Okay, thanks for letting me know.
"""),
    D("travel plans",
      "#Person1# and #Person2# plan a road trip along the coast. They plan to drive three hours a day and stay in small guesthouses, and #Person2# will make a playlist.",
      """
1: So, where do we start the road trip?
2: Let's start in the south and drive north along the coast.
1: How many hours should we drive each day?
2: Not more than three. I want time to swim and explore the towns.
1: Agreed. Where will we sleep?
2: Small guesthouses. They're cheaper than hotels and usually have great breakfasts.
1: Should we book them now?
2: Let's book the first two nights and find the rest as we go.
1: Sounds good. You're in charge of the music.
2: I'll make the best playlist ever.
"""),
    D("exam preparation",
      "#Person1# has a driving theory test tomorrow. #Person2# quizzes #Person1# on road signs, and #Person1# answers correctly.",
      """
2: Ready for your theory test tomorrow? Let me ask you some questions.
1: Okay, go ahead.
2: What does a red triangle sign mean?
1: It's a warning sign. Something dangerous is ahead.
2: Correct. What's the speed limit in town, unless a sign says otherwise?
1: Fifty kilometers per hour.
2: Right again. And what should you do at a yellow light?
1: Stop, unless it's unsafe to stop.
2: You'll pass easily.
"""),
    D("wedding plans",
      "#Person1# asks #Person2# to be the best man at the wedding in June. #Person2# is honored and accepts, and promises to give a short and funny speech.",
      """
1: I wanted to ask you something important.
2: Sure, what is it?
1: Emily and I are getting married in June, and I'd like you to be my best man.
2: Really? I'd be honored! Of course I will.
1: Thank you. You've been my best friend since primary school.
2: So I have a lot of funny stories for the speech.
1: Please keep it short!
2: Don't worry, short and funny. I promise.
"""),
    D("office meeting",
      "#Person1# asks #Person2# to take notes at the client meeting on Thursday because #Person1# will be presenting. #Person2# agrees and will send the notes to the team afterwards.",
      """
1: Are you joining the client meeting on Thursday?
2: Yes, I'm planning to. What time does it start?
1: At ten. Could you take the notes? I'll be presenting the new designs.
2: Sure. Anything I should pay special attention to?
1: Write down any changes the client asks for, and the dates they mention.
2: Got it. I'll send the notes to the team that afternoon.
1: Thanks, that's a big help.
"""),
    D("lost wallet",
      "#Person1# finds a wallet on a park bench and brings it to #Person2# at the police station. #Person2# takes #Person1#'s details in case the owner wants to say thank you.",
      """
1: Good afternoon. I found this wallet on a bench in Oak Park.
2: Thank you for bringing it in. Did you look inside?
1: Only to see if there was a name. There's an ID card for someone called Helen Brooks.
2: Great, we can contact her. Where exactly did you find it?
1: Near the playground, about an hour ago.
2: Could I have your name and phone number? Sometimes owners want to say thank you.
1: Sure. It's Paul Mensah, 555-0192.
2: Thank you, Mr. Mensah. That was very honest of you.
"""),
    D("volunteering",
      "#Person1# tells #Person2# about volunteering at a food bank every Saturday. #Person2# would like to help too, and #Person1# offers to introduce #Person2# to the organizer.",
      """
2: What do you usually do on Saturdays?
1: I volunteer at the food bank on River Street.
2: Oh, that's great. What do you do there?
1: I sort the food donations and pack boxes for families. Sometimes I help hand them out.
2: I've been thinking about volunteering too. Do they need more people?
1: Always, especially before the holidays.
2: How do I join?
1: Come with me this Saturday. I'll introduce you to Maria, the organizer.
2: Wonderful, I'll be there.
"""),
    D("gardening",
      "#Person1# wants to start a small vegetable garden on a balcony. #Person2# recommends growing herbs, lettuce and cherry tomatoes in pots.",
      """
1: I'd like to grow some vegetables, but I only have a small balcony.
2: You can still grow quite a lot in pots. How much sun does it get?
1: About six hours in the afternoon.
2: That's good. Cherry tomatoes would do well, and lettuce grows fast.
1: What about herbs?
2: Basil, mint and parsley are easy. Just keep the mint in its own pot, because it spreads everywhere.
1: Ha, good to know. When should I start?
2: Spring is best. You could plant everything in April.
"""),
    D("dentist appointment",
      "#Person2#, a dentist, checks #Person1#'s teeth and finds no cavities. #Person2# reminds #Person1# to floss every day and come back in six months.",
      """
2: Okay, open wide, please. Let me have a look.
1: Is everything all right?
2: Good news. No cavities this time.
1: That's a relief.
2: Your gums are a little red in some places, though. Do you floss?
1: Not every day, to be honest.
2: Try to floss once a day, before you brush at night. It makes a big difference.
1: I'll do my best.
2: Great. We'll see you again in six months.
"""),
    D("post office",
      "#Person1# wants to send an important letter and get proof of delivery. #Person2# suggests registered mail, which costs six dollars and needs a signature.",
      """
1: Hello, I need to send this letter, and I want to be sure it arrives.
2: Then I'd suggest registered mail. The person receiving it will have to sign for it.
1: Can I check when it's delivered?
2: Yes, you can follow it online with this tracking number.
1: How much does it cost?
2: Six dollars, and it usually arrives in two days.
1: Perfect, I'll send it that way.
2: Please write the address clearly on the front here.
"""),
    D("taxi ride",
      "#Person1# is late for a meeting and asks #Person2#, a taxi driver, to hurry to the Harbor Building. #Person2# takes a shortcut and they arrive in twelve minutes.",
      """
1: To the Harbor Building, please. I'm late for a meeting.
2: No problem. What time is your meeting?
1: At two o'clock.
2: The main road is very busy right now. I know a shortcut through the old town.
1: Great, please take it.
2: Here we are, the Harbor Building. That took just twelve minutes.
1: Thank you so much. How much is it?
2: Fourteen dollars.
1: Here's twenty. Keep the change.
"""),
    D("salary negotiation",
      "#Person1# asks #Person2#, a manager, for a raise after taking on extra responsibilities. #Person2# agrees to discuss a five percent raise at the review next month.",
      """
1: Thank you for meeting with me. I'd like to talk about my salary.
2: Of course. What's on your mind?
1: Since last spring, I've been leading the customer support team as well as doing my old job.
2: Yes, and you've done an excellent job.
1: Thank you. I feel my salary should reflect those new responsibilities.
2: I agree that's fair. Your yearly review is next month. I'll propose a five percent raise then.
1: That sounds reasonable. Thank you.
2: Thank you for bringing it up. Keep up the good work.
"""),
    D("housework",
      "#Person1# and #Person2# plan to clean the house before guests arrive. #Person1# will vacuum and dust, and #Person2# will clean the kitchen and buy flowers.",
      """
1: Your parents arrive at five. We need to clean the house.
2: You're right. It's a bit of a mess. Where do we start?
1: I'll vacuum the living room and dust the shelves.
2: Then I'll clean the kitchen and wash the dishes.
1: And someone needs to change the sheets in the guest room.
2: I'll do that too. Should we get some flowers?
1: Yes, your mom loves flowers. Could you buy some on the way back from the shop?
2: Sure. Let's get started.
"""),
    D("recipe sharing",
      "#Person1# asks #Person2# for the recipe for banana bread. #Person2# explains the ingredients and baking time, and says very ripe bananas are the secret.",
      """
1: This banana bread is amazing. Could I have the recipe?
2: Of course! It's very simple. You need three ripe bananas, two eggs, some butter, sugar and flour.
1: How ripe should the bananas be?
2: Very ripe, almost black. That's the secret. They make the bread sweet and soft.
1: How long do you bake it?
2: About fifty minutes at one hundred and seventy-five degrees.
1: Do you add anything else?
2: Sometimes a handful of walnuts or some chocolate chips.
1: I'll try it this weekend.
"""),
    D("internship",
      "#Person1# tells #Person2# about the first week of an internship at a newspaper. #Person1# has already written a short article about a local farmers' market.",
      """
2: So, how was your first week at the newspaper?
1: It was great! Busy, but I learned a lot.
2: What did they have you do?
1: At first I checked facts for other reporters. Then on Thursday they let me write my own article.
2: Already? What was it about?
1: The new farmers' market in the town square. I interviewed some of the farmers.
2: Will it be in the paper?
1: Yes, on Sunday, on page twelve.
2: I'll buy a copy. Congratulations!
"""),
]


def write_split(name, records):
    path = os.path.join(OUT_DIR, name + ".csv")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS,
                                quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writeheader()
        for i, rec in enumerate(records):
            writer.writerow({
                "id": "%s_%d" % (name, i),
                "dialogue": rec["dialogue"],
                "summary": rec["summary"],
                "topic": rec["topic"],
            })
    return path


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, records in (("train", TRAIN), ("validation", VALIDATION),
                          ("test", TEST)):
        path = write_split(name, records)
        print("wrote %d rows to %s" % (len(records), os.path.relpath(path)))


if __name__ == "__main__":
    main()
