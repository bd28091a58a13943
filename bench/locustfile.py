"""`make load`: 50 users for 60 s against gunicorn on 127.0.0.1 (bench/load.sh starts everything).

Coordinators browse the admin lists and the справка page, officials read the справка and now and
then download its PDF and Excel, integrations page through the API with a token. The server runs
with DEBUG=0 behind a pretend TLS proxy (X-Forwarded-Proto), as in production.
"""

import os
import random
import re

from locust import HttpUser, between, events, task

PASSWORD = "demo"
TOKEN = os.environ.get("LOAD_API_TOKEN", "")
REPORTS = [("tomsk-mkr", 2019), ("tomsk-mkr", 2018), ("tula-kadry", 2019)]


class Browser(HttpUser):
    abstract = True
    username = ""

    def on_start(self):
        origin = self.host.replace("http://", "https://")
        # Loopback has no TLS: say it was terminated by a proxy, and let the client send the
        # Secure cookies over plain HTTP.
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"})
        # The server believes TLS ended at a proxy, so it marks every cookie Secure, and the client
        # would not send them over loopback's plain HTTP: clear the flag after every response.
        send = self.client.request

        def request(*args, **kwargs):
            response = send(*args, **kwargs)
            for cookie in self.client.cookies:
                cookie.secure = False
            return response

        self.client.request = request
        page = self.client.get("/accounts/login/", name="login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login as {self.username}: HTTP {response.status_code}")


def fetch(user, url: str, name: str, content_type: str = "text/html"):
    """GET that fails unless it answers 200 with the expected content (not the login page)."""
    with user.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")
        elif not response.headers.get("Content-Type", "").startswith(content_type):
            response.failure(f"Content-Type {response.headers.get('Content-Type')}")


PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"


# People read a page before they open the next (5-15 s); integrations call the API every 1-3 s.
class Coordinator(Browser):
    weight = 3
    wait_time = between(5, 15)
    username = "koordinator-tomsk"

    @task(4)
    def participants(self):
        fetch(self, "/admin/participants/participant/", "admin: participants")

    @task(2)
    def participants_page(self):
        fetch(self, f"/admin/participants/participant/?p={random.randint(1, 5)}", "admin: participants ?p=")

    @task(2)
    def search(self):
        fetch(self, "/admin/participants/participant/?q=Иванов", "admin: search")

    @task(2)
    def editions(self):
        fetch(self, "/admin/events/edition/", "admin: editions")

    @task(2)
    def report(self):
        fetch(self, "/reports/tomsk-mkr/2019/", "справка page")


class Official(Browser):
    weight = 2
    wait_time = between(5, 15)
    username = "vlast"

    @task(12)
    def report(self):
        slug, year = random.choice(REPORTS)
        fetch(self, f"/reports/{slug}/{year}/", "справка page")

    @task(4)
    def index(self):
        fetch(self, "/reports/", "справки: list")

    @task(1)
    def pdf(self):
        slug, year = random.choice(REPORTS)
        fetch(self, f"/reports/{slug}/{year}/pdf/", "справка PDF", PDF)

    @task(1)
    def xlsx(self):
        slug, year = random.choice(REPORTS)
        fetch(self, f"/reports/{slug}/{year}/xlsx/", "справка Excel", XLSX)


class Integration(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers.update({"Authorization": f"Token {TOKEN}", "X-Forwarded-Proto": "https"})

    @task(4)
    def participants(self):
        fetch(self, f"/api/v1/participants/?page={random.randint(1, 10)}", "API: participants", JSON)

    @task(2)
    def editions(self):
        fetch(self, "/api/v1/editions/", "API: editions", JSON)

    @task(1)
    def report(self):
        fetch(self, "/api/v1/reports/tomsk-mkr/2019/", "API: справка JSON", JSON)


@events.quitting.add_listener
def _fail_on_errors(environment, **kwargs):
    stats = environment.stats.total
    print(
        f"\nЗапросов: {stats.num_requests}, ошибок: {stats.num_failures}, "
        f"p50 {stats.get_response_time_percentile(0.5):.0f} мс, p95 {stats.get_response_time_percentile(0.95):.0f} мс"
    )
    if stats.num_failures:
        environment.process_exit_code = 1
