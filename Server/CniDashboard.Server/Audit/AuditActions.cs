namespace CniDashboard.Server.Audit;

/// <summary>The audit log's action names: <c>area.verb</c>, stable (exports and filters depend on them).</summary>
public static class AuditActions
{
    public const string SignIn = "auth.sign-in";
    public const string SignOut = "auth.sign-out";
    public const string SignInFailed = "auth.sign-in-failed";

    /// <summary>A request refused: a role without the policy, a forged proxy header, a missing antiforgery token.</summary>
    public const string Denied = "auth.denied";

    public const string SettingChanged = "settings.changed";

    /// <summary>A checkpoint of the chain's head written outside the database.</summary>
    public const string CheckpointWritten = Shared.Audit.AuditCheckpoint.WrittenAction;

    public const string Verified = "audit.verified";
    public const string Exported = "audit.exported";
}
