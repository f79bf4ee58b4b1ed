using System.Net;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace CniDashboard.Demo.SignIn;

/// <summary>
/// The demo identity provider's sign-in page: the authorization request's parameters carried along
/// in hidden fields, and one button per user. Choosing one posts the same request back to the
/// authorization endpoint with <see cref="UserField"/> set.
/// </summary>
internal static class UserPicker
{
    /// <summary>The form field naming the chosen user.</summary>
    public const string UserField = "demo_user";

    public static string Render(string action, IEnumerable<KeyValuePair<string, StringValues>> parameters, IReadOnlyList<DemoUser> users, IReadOnlyDictionary<string, string> roleOfGroup)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · CNI Dashboard demo</title>
            <style>
              body { font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; color: #1f2328; }
              main { max-width: 560px; margin: 8vh auto; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 28px 32px; }
              h1 { font-size: 1.35rem; margin: 0 0 6px; }
              p.note { color: #57606a; margin: 0 0 20px; font-size: 0.95rem; }
              ul { list-style: none; padding: 0; margin: 0; }
              li { margin: 0 0 10px; }
              button { width: 100%; text-align: left; padding: 12px 14px; border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; cursor: pointer; font-size: 1rem; }
              button:hover, button:focus { background: #eaeef2; border-color: #0969da; outline: none; }
              .who { font-weight: 600; }
              .what { color: #57606a; font-size: 0.85rem; display: block; margin-top: 2px; }
            </style></head><body><main>
            <h1>Sign in to CNI Dashboard</h1>
            <p class="note">This is the demo's own OpenID Connect provider, on this machine only. Pick a user: there are no passwords.
            The dashboard maps each user's group to a role, as it would map your identity provider's groups.</p>
            """);
        html.Append("<form method=\"post\" action=\"").Append(WebUtility.HtmlEncode(action)).Append("\">");
        foreach (var (name, values) in parameters)
        {
            if (name == UserField) continue;
            foreach (var value in values)
            {
                html.Append("<input type=\"hidden\" name=\"").Append(WebUtility.HtmlEncode(name)).Append("\" value=\"").Append(WebUtility.HtmlEncode(value)).Append("\">");
            }
        }

        html.Append("<ul>");
        foreach (var user in users)
        {
            var roles = string.Join(", ", user.Groups.Select(g => roleOfGroup.TryGetValue(g, out var role) ? $"{g} → {role}" : $"{g} → no role"));
            html.Append("<li><button type=\"submit\" name=\"").Append(UserField).Append("\" value=\"").Append(WebUtility.HtmlEncode(user.Id))
                .Append("\" data-testid=\"pick-").Append(WebUtility.HtmlEncode(user.Id)).Append("\"><span class=\"who\">").Append(WebUtility.HtmlEncode(user.Id))
                .Append("</span> · ").Append(WebUtility.HtmlEncode(user.Name))
                .Append("<span class=\"what\">").Append(WebUtility.HtmlEncode(roles)).Append("</span></button></li>");
        }

        html.Append("</ul></form></main></body></html>");
        return html.ToString();
    }
}
