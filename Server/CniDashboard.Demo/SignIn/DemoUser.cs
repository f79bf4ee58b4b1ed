namespace CniDashboard.Demo.SignIn;

/// <summary>A person the demo's identity provider can sign in (picked from a list; no password).</summary>
/// <param name="Id">The user name picked, also the <c>sub</c> claim.</param>
/// <param name="Name">The display name (<c>name</c> claim).</param>
/// <param name="Groups">The <c>groups</c> claim, which the dashboard maps to roles.</param>
public sealed record DemoUser(string Id, string Name, IReadOnlyList<string> Groups)
{
    /// <summary>The e-mail claim.</summary>
    public string Email => $"{Id}@demo.example";

    /// <summary>The demo's groups; the demo maps each to the dashboard role of the same name.</summary>
    public static class DemoGroups
    {
        public const string Viewers = "cni-viewers";
        public const string Operators = "cni-operators";
        public const string Approvers = "cni-approvers";
        public const string Admins = "cni-admins";
    }

    /// <summary>The demo's users: one per role, and a second approver (the two-person rule needs two).</summary>
    public static IReadOnlyList<DemoUser> All { get; } =
    [
        new("viewer", "Vic Viewer", [DemoGroups.Viewers]),
        new("operator", "Olga Operator", [DemoGroups.Operators]),
        new("approver", "Ann Approver", [DemoGroups.Approvers]),
        new("approver2", "Abe Approver", [DemoGroups.Approvers]),
        new("admin", "Ada Admin", [DemoGroups.Admins]),
    ];
}
