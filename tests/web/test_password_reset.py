import re

from django.contrib.auth import get_user_model
from django.core import mail


def test_a_structure_member_chooses_a_new_password_by_e_mail(client, db):
    user = get_user_model().objects.create_user("sami", "sami@example.org", "an old password 1")
    response = client.post("/password/reset/", {"email": "SAMI@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url,
        {
            "new_password1": "Un nouveau mot de passe 2026",
            "new_password2": "Un nouveau mot de passe 2026",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Un nouveau mot de passe 2026")
    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]


def test_unknown_addresses_get_the_same_answer_and_no_e_mail(client, db):
    response = client.post("/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/password/reset/sent/"
    assert mail.outbox == []
