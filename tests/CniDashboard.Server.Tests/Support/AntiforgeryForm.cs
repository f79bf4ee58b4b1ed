using System.Text.RegularExpressions;

namespace CniDashboard.Server.Tests.Support;

/// <summary>The antiforgery token a page's forms carry, and a form that posts it back, as a browser would.</summary>
public static partial class AntiforgeryForm
{
    /// <summary>The form field's name.</summary>
    public const string Field = "__RequestVerificationToken";

    /// <summary>The token in <paramref name="html"/>'s first form that has one; fails the test when there is none.</summary>
    public static string TokenIn(string html)
    {
        var token = Hidden().Match(html).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the page has no form with an antiforgery token");
        return token;
    }

    /// <summary>A form body with <paramref name="token"/>, or an empty one when it is null.</summary>
    public static FormUrlEncodedContent With(string? token) => new(token is null ? [] : [KeyValuePair.Create(Field, token)]);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Hidden();
}
