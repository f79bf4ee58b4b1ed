using System.Net;
using k8s.Models;

namespace CniDashboard.Simulator.KubeApi;

/// <summary>
/// A refusal from the emulated API server, carrying the <see cref="V1Status"/> body the real server
/// would send. Thrown by <see cref="ClusterState"/> to in-process callers and turned into the HTTP
/// answer for remote ones, so both see the same reason and wording.
/// </summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException(V1Status status)
        : base(status.Message)
    {
        Status = status;
    }

    public V1Status Status { get; }

    public HttpStatusCode StatusCode => (HttpStatusCode)(Status.Code ?? 500);

    public string? Reason => Status.Reason;

    public static KubeApiException NotFound(KubeResource resource, string name) =>
        Failure(HttpStatusCode.NotFound, "NotFound", $"{resource.QualifiedName} \"{name}\" not found", Details(resource, name));

    public static KubeApiException NamespaceNotFound(string name) =>
        Failure(HttpStatusCode.NotFound, "NotFound", $"namespaces \"{name}\" not found", Details(KubeResource.Namespaces, name));

    public static KubeApiException AlreadyExists(KubeResource resource, string name) =>
        Failure(HttpStatusCode.Conflict, "AlreadyExists", $"{resource.QualifiedName} \"{name}\" already exists", Details(resource, name));

    public static KubeApiException Conflict(KubeResource resource, string name) =>
        Failure(
            HttpStatusCode.Conflict,
            "Conflict",
            $"Operation cannot be fulfilled on {resource.QualifiedName} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            Details(resource, name));

    public static KubeApiException PreconditionFailed(KubeResource resource, string name, string what, string expected, string actual) =>
        Failure(
            HttpStatusCode.Conflict,
            "Conflict",
            $"Operation cannot be fulfilled on {resource.QualifiedName} \"{name}\": Precondition failed: {what} in precondition: {expected}, {what} in object meta: {actual}",
            Details(resource, name));

    public static KubeApiException Invalid(KubeResource resource, string name, string field, string message) =>
        Failure(
            HttpStatusCode.UnprocessableEntity,
            "Invalid",
            $"{resource.Kind} \"{name}\" is invalid: {field}: {message}",
            new V1StatusDetails
            {
                Name = name,
                Group = resource.Group.Length == 0 ? null : resource.Group,
                Kind = resource.Kind,
                Causes = [new V1StatusCause { Field = field, Message = message, Reason = "FieldValueInvalid" }],
            });

    public static KubeApiException UnprocessablePatch(string message) =>
        Failure(HttpStatusCode.UnprocessableEntity, "Invalid", message, null);

    public static KubeApiException BadRequest(string message) =>
        Failure(HttpStatusCode.BadRequest, "BadRequest", message, null);

    /// <summary>410 for a list continuation whose snapshot is gone, with the real server's wording.</summary>
    public static KubeApiException ContinueExpired() =>
        Failure(
            HttpStatusCode.Gone,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
            null);

    /// <summary>410 for a watch that asks for history the server no longer keeps.</summary>
    public static KubeApiException TooOldResourceVersion(long requested, long oldestAvailable) =>
        Failure(HttpStatusCode.Gone, "Expired", $"too old resource version: {requested} ({oldestAvailable})", null);

    public static KubeApiException Unauthorized() =>
        Failure(HttpStatusCode.Unauthorized, "Unauthorized", "Unauthorized", null);

    public static KubeApiException Forbidden(string message, KubeResource? resource, string? name) =>
        Failure(HttpStatusCode.Forbidden, "Forbidden", message, resource is null ? null : Details(resource, name));

    public static KubeApiException MethodNotSupported(string plural, string verb) =>
        Failure(
            HttpStatusCode.MethodNotAllowed,
            "MethodNotAllowed",
            $"{verb} is not supported on resources of kind \"{plural}\"",
            new V1StatusDetails { Kind = plural });

    public static KubeApiException UnsupportedMediaType(string contentType) =>
        Failure(
            HttpStatusCode.UnsupportedMediaType,
            "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json; got {contentType}",
            null);

    public static KubeApiException PathNotFound() =>
        Failure(HttpStatusCode.NotFound, "NotFound", "the server could not find the requested resource", new V1StatusDetails());

    private static V1StatusDetails Details(KubeResource resource, string? name) => new()
    {
        Name = name,
        Group = resource.Group.Length == 0 ? null : resource.Group,
        Kind = resource.Plural,
    };

    private static KubeApiException Failure(HttpStatusCode code, string reason, string message, V1StatusDetails? details) =>
        new(KubeStatus.Failure((int)code, reason, message, details));
}
