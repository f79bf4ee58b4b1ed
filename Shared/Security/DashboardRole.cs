namespace CniDashboard.Shared.Security;

/// <summary>
/// What a person may do in the dashboard. Roles come from the identity provider's groups (or the
/// proxy's, or a ServiceAccount's) through the configured role map; a person with none has no access.
/// </summary>
public enum DashboardRole
{
    /// <summary>Reads everything; changes nothing.</summary>
    Viewer,

    /// <summary>Creates remediation plans and runs approved ones.</summary>
    Operator,

    /// <summary>Approves or rejects plans (never their own while the two-person rule is on).</summary>
    Approver,

    /// <summary>Settings, and everything the other roles may do.</summary>
    Admin,
}
