using System.Text.Json.Serialization;
using CniDashboard.Shared.Analysis;
using CniDashboard.Shared.Json;

namespace CniDashboard.Shared.Remediation;

/// <summary>
/// Source-generated JSON for remediation plans, as the engine persists them (a plan with its nodes,
/// or a node alone): camelCase, camelCase string enums, nulls left out. A plan read back is the plan
/// written, to the last intent recorded — which is what lets an engine resume after a crash.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters =
    [
        typeof(CamelCaseEnumConverter<PlanState>),
        typeof(CamelCaseEnumConverter<PauseReason>),
        typeof(CamelCaseEnumConverter<NodeStatus>),
        typeof(CamelCaseEnumConverter<NodeStep>),
        typeof(CamelCaseEnumConverter<StepFailureKind>),
        typeof(CamelCaseEnumConverter<ReproposalOutcome>),
        typeof(CamelCaseEnumConverter<FileEditKind>),
        typeof(CamelCaseEnumConverter<Severity>),
        typeof(CamelCaseEnumConverter<Cni.PrimaryStatus>),
    ])]
[JsonSerializable(typeof(RemediationPlan))]
[JsonSerializable(typeof(NodeRemediation))]
[JsonSerializable(typeof(PlanEvent))]
public sealed partial class RemediationJsonContext : JsonSerializerContext;
