"""The demo's sign-in accounts: one per story protagonist, plus managers and the control desk."""

from __future__ import annotations


def demo_users(stories: dict) -> list[dict]:
    s1, s2, s3, s4 = (stories[k] for k in ("story1_agent", "story2_team", "story3_campaign", "story4_site"))

    def login(name: str) -> str:
        return name.lower().replace(" ", ".")

    return [
        {"username": login(s1["name"]), "display_name": s1["name"], "role": "agent", "agent_id": s1["agent_id"],
         "story": "story1_agent"},
        {"username": login(s1["supervisor_name"]), "display_name": s1["supervisor_name"], "role": "supervisor",
         "team_ids": [s1["team_id"]], "story": "story1_agent (his supervisor)"},
        {"username": login(s2["supervisor_name"]), "display_name": s2["supervisor_name"], "role": "supervisor",
         "team_ids": [s2["team_id"]], "story": "story2_team"},
        {"username": login(s3["supervisor_name"]), "display_name": s3["supervisor_name"], "role": "supervisor",
         "team_ids": [s3["team_id"]], "story": "story3_campaign (the campaign team's supervisor)"},
        {"username": "grace.adams", "display_name": "Grace Adams", "role": "manager", "site_ids": [s3["site_id"]],
         "story": "story3_campaign"},
        {"username": "tom.reyes", "display_name": "Tom Reyes", "role": "manager", "site_ids": [s4["site_id"]],
         "story": "story4_site (the site's manager)"},
        {"username": "control.desk", "display_name": "Sam Patel (control desk)", "role": "control_desk",
         "story": "story4_site"},
    ]
