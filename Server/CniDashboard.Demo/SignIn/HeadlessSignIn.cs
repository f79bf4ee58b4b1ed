using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace CniDashboard.Demo.SignIn;

/// <summary>
/// Signing in to the demo without a browser, through the same redirects a browser follows, for
/// scripts and tests: a cookie session with the dashboard, or an access token from the identity
/// provider (a bearer JWT for <c>/api/v1</c>, as automation would get one from a real IdP).
/// </summary>
public static class HeadlessSignIn
{
    /// <summary>
    /// Signs <paramref name="user"/> in to the dashboard at <paramref name="dashboard"/> (code flow
    /// with PKCE, the user picked on the provider's page) and returns a client holding the session
    /// cookie (in <paramref name="cookies"/> when given). Redirects are not followed by the client, so a test sees 302s and 401s as they are.
    /// </summary>
    public static async Task<HttpClient> SignInAsync(Uri dashboard, string user, CancellationToken cancellationToken = default, CookieContainer? cookies = null)
    {
        cookies ??= new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = dashboard };
        try
        {
            using var start = await client.GetAsync("auth/sign-in?returnUrl=%2F", cancellationToken).ConfigureAwait(false);
            var authorize = Redirect(start, "the dashboard's sign-in");
            // The pick page posts the authorization request back with the chosen user; do the same.
            var form = QueryHelpers.ParseQuery(authorize.Query).Select(p => KeyValuePair.Create(p.Key, p.Value.ToString())).Append(KeyValuePair.Create(UserPicker.UserField, user));
            using var picked = await client.PostAsync(new Uri(authorize.GetLeftPart(UriPartial.Path)), new FormUrlEncodedContent(form), cancellationToken).ConfigureAwait(false);
            var callback = Redirect(picked, "the identity provider's authorization");
            using var signedIn = await client.GetAsync(callback, cancellationToken).ConfigureAwait(false);
            Redirect(signedIn, "the dashboard's sign-in callback");
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// An access token for <paramref name="user"/> from <paramref name="provider"/>, obtained with
    /// the dashboard's client (code flow with PKCE, then the token endpoint) for the redirect URI under
    /// <paramref name="dashboard"/>: a bearer JWT the dashboard's API accepts.
    /// </summary>
    public static async Task<string> GetAccessTokenAsync(DemoIdentityProvider provider, Uri dashboard, string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = provider.Issuer };
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var redirect = new Uri(dashboard, "signin-oidc").ToString();
        using var picked = await client.PostAsync(DemoIdentityProvider.AuthorizePath.TrimStart('/'), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = DemoIdentityProvider.ClientId,
            ["redirect_uri"] = redirect,
            ["response_type"] = "code",
            ["scope"] = $"openid profile email {DemoIdentityProvider.GroupsClaim}",
            ["code_challenge"] = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["state"] = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)),
            [UserPicker.UserField] = user,
        }), cancellationToken).ConfigureAwait(false);
        var code = QueryHelpers.ParseQuery(Redirect(picked, "the identity provider's authorization").Query)["code"].ToString();
        using var token = await client.PostAsync(DemoIdentityProvider.TokenPath.TrimStart('/'), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirect,
            ["client_id"] = DemoIdentityProvider.ClientId,
            ["client_secret"] = provider.ClientSecret,
            ["code_verifier"] = verifier,
        }), cancellationToken).ConfigureAwait(false);
        var body = await token.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!token.IsSuccessStatusCode) throw new InvalidOperationException($"the token endpoint answered {(int)token.StatusCode}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString() ?? throw new InvalidOperationException("no access_token in the token response");
    }

    private static Uri Redirect(HttpResponseMessage response, string step) =>
        response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther && response.Headers.Location is { } location
            ? (location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location))
            : throw new InvalidOperationException($"{step} answered {(int)response.StatusCode}, not a redirect");

}
