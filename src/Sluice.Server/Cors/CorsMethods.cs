using Sluice.S3.Http;

namespace Sluice.Server.Cors;

/// <summary>The five methods a CORS rule can allow, as bits, so a rule's check is one AND.</summary>
internal static class CorsMethods
{
    public const byte Get = 1, Put = 2, Head = 4, Post = 8, Delete = 16;

    /// <summary>The bit of a method named in a rule or an Access-Control-Request-Method (case matters, as in HTTP); 0
    /// for any other.</summary>
    public static byte Of(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("GET"u8) => Get,
        _ when name.SequenceEqual("PUT"u8) => Put,
        _ when name.SequenceEqual("HEAD"u8) => Head,
        _ when name.SequenceEqual("POST"u8) => Post,
        _ when name.SequenceEqual("DELETE"u8) => Delete,
        _ => 0,
    };

    /// <summary>The bit of a request's own method; 0 for methods no rule can allow.</summary>
    public static byte Of(KnownMethod method) => method switch
    {
        KnownMethod.Get => Get,
        KnownMethod.Put => Put,
        KnownMethod.Head => Head,
        KnownMethod.Post => Post,
        KnownMethod.Delete => Delete,
        _ => 0,
    };
}
