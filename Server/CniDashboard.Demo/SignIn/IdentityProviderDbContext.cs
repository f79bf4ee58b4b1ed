using Microsoft.EntityFrameworkCore;

namespace CniDashboard.Demo.SignIn;

/// <summary>OpenIddict's store (the registered client, authorization codes) for the demo's identity provider, in memory.</summary>
internal sealed class IdentityProviderDbContext(DbContextOptions<IdentityProviderDbContext> options) : DbContext(options);
